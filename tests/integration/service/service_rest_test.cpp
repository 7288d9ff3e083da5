// /rest/v1 of the reference service, clean behaviour: the PostgREST query
// language (select, filters, order, limit/offset, Range + Content-Range),
// writes (POST/PATCH/DELETE with Prefer), error shapes, and above all that
// PostgreSQL's RLS decides what each caller sees and changes.
#include "tests/support/service/service_test_support.hpp"

namespace golive::testing {
namespace {

using RestTest = ServiceCoreTest;

std::vector<std::string> titles_of(const nlohmann::json& rows) {
  std::vector<std::string> titles;
  for (const auto& row : rows) titles.push_back(row.value("title", std::string()));
  return titles;
}

// An account with four courses (Algebra..Drawing) and topics at positions
// 0..3 in the first.
class RestLibraryTest : public RestTest {
 protected:
  void SetUp() override {
    owner_ = sign_up("lib");
    for (const char* title : {"Algebra", "Biology", "Chemistry", "Drawing"}) {
      ids_.push_back(create_course(owner_, title)["id"].get<std::string>());
    }
    for (int position = 0; position < 4; ++position) {
      ASSERT_EQ(http_send_json("POST", url("/rest/v1/topics"),
                               {{"course_id", ids_[0]},
                                {"title", "T" + std::to_string(position)},
                                {"position", position}},
                               {owner_.bearer()})
                    .status,
                201);
    }
  }
  ServiceReply get(const std::string& query, std::vector<std::string> headers = {}) {
    headers.push_back(owner_.bearer());
    return http_get(url("/rest/v1/" + query), headers);
  }
  Account owner_;
  std::vector<std::string> ids_;
};

TEST_F(RestLibraryTest, SelectReturnsOnlyTheNamedColumns) {
  const ServiceReply reply = get("courses?select=id,title&order=title.asc");
  ASSERT_EQ(reply.status, 200) << reply.body;
  const nlohmann::json rows = reply.json();
  ASSERT_EQ(rows.size(), 4u);
  for (const auto& row : rows) {
    EXPECT_EQ(row.size(), 2u) << row.dump();
    EXPECT_TRUE(row.contains("id") && row.contains("title"));
  }
  EXPECT_EQ(titles_of(rows),
            (std::vector<std::string>{"Algebra", "Biology", "Chemistry", "Drawing"}));
}

TEST_F(RestLibraryTest, FiltersCoverEveryOperator) {
  const auto titles = [&](const std::string& filter) {
    const ServiceReply reply = get("courses?select=title&order=title.asc&" + filter);
    EXPECT_EQ(reply.status, 200) << filter << ": " << reply.body;
    return titles_of(reply.json());
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(titles("title=eq.Biology"), V{"Biology"});
  EXPECT_EQ(titles("title=neq.Biology"), (V{"Algebra", "Chemistry", "Drawing"}));
  EXPECT_EQ(titles("title=gt.Biology"), (V{"Chemistry", "Drawing"}));
  EXPECT_EQ(titles("title=gte.Chemistry"), (V{"Chemistry", "Drawing"}));
  EXPECT_EQ(titles("title=lt.Biology"), V{"Algebra"});
  EXPECT_EQ(titles("title=lte.Biology"), (V{"Algebra", "Biology"}));
  EXPECT_EQ(titles("title=in.(Algebra,Drawing,Nope)"), (V{"Algebra", "Drawing"}));
  EXPECT_EQ(titles("title=like.*ology"), V{"Biology"});
  EXPECT_EQ(titles("title=ilike.%2Aalg%2A"), V{"Algebra"});
  EXPECT_EQ(titles("syllabus=is.null&title=not.eq.Algebra"),
            (V{"Biology", "Chemistry", "Drawing"}));
  EXPECT_EQ(titles("title=not.in.(Algebra,Biology)"), (V{"Chemistry", "Drawing"}));
  EXPECT_EQ(titles("id=eq." + ids_[2]), V{"Chemistry"});
  // Integer comparison on topics.position, ordered descending.
  const ServiceReply topics =
      get("topics?select=position&course_id=eq." + ids_[0] + "&position=gte.2&order=position.desc");
  ASSERT_EQ(topics.status, 200);
  EXPECT_EQ(topics.json(), nlohmann::json::parse(R"([{"position":3},{"position":2}])"));
}

TEST_F(RestLibraryTest, PercentEncodedValuesAreDecoded) {
  create_course(owner_, "Art & Design");
  const ServiceReply reply = get("courses?select=title&title=eq.Art%20%26%20Design");
  ASSERT_EQ(reply.status, 200);
  EXPECT_EQ(titles_of(reply.json()), std::vector<std::string>{"Art & Design"});
}

TEST_F(RestLibraryTest, LimitOffsetAndRangePaginateWithContentRange) {
  ServiceReply page =
      get("courses?select=title&order=title.asc&limit=2&offset=1", {"Prefer: count=exact"});
  EXPECT_EQ(page.status, 206);
  EXPECT_EQ(page.header("content-range").value_or(""), "1-2/4");
  EXPECT_EQ(titles_of(page.json()), (std::vector<std::string>{"Biology", "Chemistry"}));

  page = get("courses?select=title&order=title.asc",
             {"Range-Unit: items", "Range: 0-1", "Prefer: count=exact"});
  EXPECT_EQ(page.status, 206);
  EXPECT_EQ(page.header("content-range").value_or(""), "0-1/4");
  EXPECT_EQ(titles_of(page.json()), (std::vector<std::string>{"Algebra", "Biology"}));

  page = get("courses?select=title&order=title.asc", {"Range: 2-", "Prefer: count=exact"});
  EXPECT_EQ(page.status, 206);
  EXPECT_EQ(page.header("content-range").value_or(""), "2-3/4");

  // Everything in one page: 200, total known.
  page = get("courses?select=title", {"Prefer: count=exact"});
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.header("content-range").value_or(""), "0-3/4");

  // Without count=exact the total is "*".
  page = get("courses?select=title&limit=2");
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.header("content-range").value_or(""), "0-1/*");

  // Past the end.
  page = get("courses?select=title&offset=10", {"Prefer: count=exact"});
  EXPECT_EQ(page.status, 416);
  EXPECT_EQ(page.header("content-range").value_or(""), "*/4");
}

TEST_F(RestLibraryTest, SearchIsBoundNotConcatenated) {
  EXPECT_EQ(titles_of(get("courses?select=title&search=chem").json()),
            std::vector<std::string>{"Chemistry"});
  for (const char* hostile :
       {"%27", "x%27%20OR%20%271%27%3D%271", "%27%3B%20DROP%20TABLE%20courses%3B--"}) {
    const ServiceReply reply = get(std::string("courses?select=title&search=") + hostile);
    EXPECT_EQ(reply.status, 200) << hostile << ": " << reply.body;
    EXPECT_EQ(reply.json(), nlohmann::json::array()) << hostile;
  }
}

TEST_F(RestLibraryTest, BadRequestsGetPostgrestStyleErrors) {
  ServiceReply reply = get("courses?select=title,secret");
  EXPECT_EQ(reply.status, 400);
  EXPECT_EQ(reply.json()["code"], "42703");
  reply = get("courses?password=eq.x");
  EXPECT_EQ(reply.status, 400);
  EXPECT_EQ(reply.json()["code"], "42703");
  reply = get("courses?title=between.a");
  EXPECT_EQ(reply.status, 400);
  EXPECT_EQ(reply.json()["code"], "PGRST100");
  reply = get("courses?order=title.sideways");
  EXPECT_EQ(reply.status, 400);
  reply = get("courses?limit=-1");
  EXPECT_EQ(reply.status, 400);
  reply = get("courses?id=eq.not-a-uuid");
  EXPECT_EQ(reply.status, 400);
  EXPECT_EQ(reply.json()["code"], "22P02");
  reply = get("no_such_table");
  EXPECT_EQ(reply.status, 404);
  reply = get("pg_user");  // only public base tables are exposed
  EXPECT_EQ(reply.status, 404);
  reply = http_send_json("POST", url("/rest/v1/courses"),
                         {{"title", "x"}, {"owner_is_admin", true}}, {owner_.bearer()});
  EXPECT_EQ(reply.status, 400);
  EXPECT_EQ(reply.json()["code"], "PGRST204");
  reply = call_service({"POST",
                        url("/rest/v1/courses"),
                        {owner_.bearer(), "Content-Type: application/json"},
                        "{bad",
                        30000});
  EXPECT_EQ(reply.status, 400);
}

TEST_F(RestLibraryTest, WritesReturnRepresentationOnlyWhenAsked) {
  ServiceReply reply =
      http_send_json("POST", url("/rest/v1/courses"),
                     nlohmann::json::array({{{"title", "Economics"}, {"user_id", owner_.id}},
                                            {{"title", "French"}, {"user_id", owner_.id}}}),
                     {owner_.bearer(), "Prefer: return=representation"});
  ASSERT_EQ(reply.status, 201) << reply.body;
  EXPECT_EQ(titles_of(reply.json()), (std::vector<std::string>{"Economics", "French"}));

  reply = http_send_json("POST", url("/rest/v1/courses"),
                         {{"title", "Geology"}, {"user_id", owner_.id}}, {owner_.bearer()});
  EXPECT_EQ(reply.status, 201);
  EXPECT_TRUE(reply.body.empty());

  reply = http_send_json("PATCH", url("/rest/v1/courses?title=eq.Geology"), {{"syllabus", "rocks"}},
                         {owner_.bearer(), "Prefer: return=representation"});
  ASSERT_EQ(reply.status, 200) << reply.body;
  ASSERT_EQ(reply.json().size(), 1u);
  EXPECT_EQ(reply.json()[0]["syllabus"], "rocks");

  reply = http_send_json("PATCH", url("/rest/v1/courses?title=eq.Geology"),
                         {{"syllabus", "stones"}}, {owner_.bearer()});
  EXPECT_EQ(reply.status, 204);
  EXPECT_EQ(get("courses?select=syllabus&title=eq.Geology").json()[0]["syllabus"], "stones");

  reply = call_service({"DELETE",
                        url("/rest/v1/courses?title=in.(Economics,French)"),
                        {owner_.bearer(), "Prefer: return=representation"},
                        "",
                        30000});
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.json().size(), 2u);
  reply = call_service(
      {"DELETE", url("/rest/v1/courses?title=eq.Geology"), {owner_.bearer()}, "", 30000});
  EXPECT_EQ(reply.status, 204);
  EXPECT_EQ(get("courses?select=title&title=in.(Economics,French,Geology)").json(),
            nlohmann::json::array());
}

TEST_F(RestLibraryTest, UserTextIsSanitisedOnWrite) {
  const ServiceReply reply =
      http_send_json("POST", url("/rest/v1/courses"),
                     {{"title", "Physics<script>alert(1)</script>"},
                      {"syllabus", "<img src=x onerror=alert(1)>Week 1: a < b"},
                      {"user_id", owner_.id}},
                     {owner_.bearer(), "Prefer: return=representation"});
  ASSERT_EQ(reply.status, 201) << reply.body;
  EXPECT_EQ(reply.json()[0]["title"], "Physics");
  EXPECT_EQ(reply.json()[0]["syllabus"], "Week 1: a < b");
  const std::string id = reply.json()[0]["id"];
  EXPECT_EQ(sql_value("SELECT syllabus FROM public.courses WHERE id = '" + id + "'"),
            "Week 1: a < b");
}

// ---- RLS through REST --------------------------------------------------------------

TEST_F(RestTest, UsersNeverSeeOrChangeEachOthersCourses) {
  const Account alice = sign_up("rls-a");
  const Account bob = sign_up("rls-b");
  const std::string bobs = create_course(bob, "Bob's secret course")["id"];
  create_course(alice, "Alice's course");

  // Read: Alice's list holds only her course; a direct id filter finds nothing.
  ServiceReply reply = http_get(url("/rest/v1/courses?select=title"), {alice.bearer()});
  EXPECT_EQ(titles_of(reply.json()), std::vector<std::string>{"Alice's course"});
  reply = http_get(url("/rest/v1/courses?id=eq." + bobs), {alice.bearer()});
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.json(), nlohmann::json::array());

  // Update and delete match nothing under RLS: 204 / [] and Bob's row is intact.
  reply = http_send_json("PATCH", url("/rest/v1/courses?id=eq." + bobs), {{"title", "pwned"}},
                         {alice.bearer()});
  EXPECT_EQ(reply.status, 204);
  reply = http_send_json("PATCH", url("/rest/v1/courses?id=eq." + bobs), {{"title", "pwned"}},
                         {alice.bearer(), "Prefer: return=representation"});
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.json(), nlohmann::json::array());
  reply =
      call_service({"DELETE", url("/rest/v1/courses?id=eq." + bobs), {alice.bearer()}, "", 30000});
  EXPECT_EQ(reply.status, 204);
  EXPECT_EQ(sql_value("SELECT title FROM public.courses WHERE id = '" + bobs + "'"),
            "Bob's secret course");

  // Insert on Bob's behalf and ownership transfer are refused by WITH CHECK.
  reply = http_send_json("POST", url("/rest/v1/courses"),
                         {{"title", "planted"}, {"user_id", bob.id}}, {alice.bearer()});
  EXPECT_EQ(reply.status, 403);
  EXPECT_EQ(reply.json()["code"], "42501");
  EXPECT_NE(reply.json()["message"].get<std::string>().find("row-level security"),
            std::string::npos);
  const std::string alices = create_course(alice, "To give away")["id"];
  reply = http_send_json("PATCH", url("/rest/v1/courses?id=eq." + alices), {{"user_id", bob.id}},
                         {alice.bearer()});
  EXPECT_EQ(reply.status, 403);
  EXPECT_EQ(sql_value("SELECT user_id FROM public.courses WHERE id = '" + alices + "'"), alice.id);

  // Child rows: Alice cannot attach a topic to Bob's course.
  reply = http_send_json("POST", url("/rest/v1/topics"), {{"course_id", bobs}, {"title", "x"}},
                         {alice.bearer()});
  EXPECT_EQ(reply.status, 403);
}

TEST_F(RestTest, AnonymousCallersSeeOnlyPublicCatalogueRows) {
  const Account owner = sign_up("anon-owner");
  create_course(owner, "Hidden from anon");
  for (const std::vector<std::string>& headers :
       {std::vector<std::string>{}, std::vector<std::string>{"apikey: " + anon_key()}}) {
    EXPECT_EQ(http_get(url("/rest/v1/courses"), headers).json(), nlohmann::json::array());
    const ServiceReply plans = http_get(url("/rest/v1/plans?select=name,active"), headers);
    ASSERT_EQ(plans.status, 200);
    EXPECT_GE(plans.json().size(), 1u);
    for (const auto& plan : plans.json()) EXPECT_EQ(plan["active"], true) << plan.dump();
    const ServiceReply insert = http_send_json("POST", url("/rest/v1/courses"),
                                               {{"title", "anon"}, {"user_id", owner.id}}, headers);
    // PostgREST: permission denied to the anonymous role is 401.
    EXPECT_EQ(insert.status, 401);
  }
  // Service-only tables are invisible to users too.
  EXPECT_EQ(http_get(url("/rest/v1/webhook_events"), {owner.bearer()}).json(),
            nlohmann::json::array());
  EXPECT_EQ(http_get(url("/rest/v1/redeem_tokens"), {owner.bearer()}).json(),
            nlohmann::json::array());
}

TEST_F(RestTest, ServiceRoleKeyBypassesRlsAsPostgrestDoes) {
  const Account owner = sign_up("svc-owner");
  const std::string id = create_course(owner, "Visible to service")["id"];
  const ServiceReply reply =
      http_get(url("/rest/v1/courses?id=eq." + id), {"apikey: " + service_key()});
  ASSERT_EQ(reply.status, 200);
  EXPECT_EQ(reply.json().size(), 1u);
}

}  // namespace
}  // namespace golive::testing
