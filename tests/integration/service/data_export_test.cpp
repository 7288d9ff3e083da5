// The user's data going out: the JSON export (only the caller's rows, user
// text sanitised) and the printable course page (user text escaped), and the
// xss-unsanitized defect that sends both out raw.
#include "tests/support/service/function_test_support.hpp"

namespace golive::testing {
namespace {

constexpr const char* kPayload = "<script>alert(1)</script>";

class DataExportTest : public ReferenceServiceTest {
 protected:
  // A course with a script-laden syllabus, one topic and one note, written
  // straight to the database (as legacy rows would be, bypassing the REST
  // write path). Returns the course id.
  std::string create_course_with_markup(const TestUser& user) {
    pqxx::work txn(admin());
    const std::string course =
        txn.exec_params1(
               "INSERT INTO public.courses (user_id, title, syllabus) VALUES ($1, $2, $3) "
               "RETURNING id",
               user.id, "Calculus <b>I</b>", std::string(kPayload) + "Week 1: limits")[0]
            .as<std::string>();
    txn.exec_params("INSERT INTO public.topics (course_id, title, position) VALUES ($1, $2, 0)",
                    course, "Limits <img src=x onerror=alert(2)>");
    txn.exec_params("INSERT INTO public.inputs (course_id, kind, content) VALUES ($1, 'notes', $2)",
                    course, "remember epsilon-delta");
    txn.commit();
    return course;
  }
};

TEST_F(DataExportTest, ExportHoldsExactlyTheCallersDataWithSanitisedText) {
  const TestUser user = create_user("exporter");
  const std::string course = create_course_with_markup(user);
  const HttpReply reply = get("/functions/v1/export", &user);
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_NE(reply.header("content-disposition").find("attachment"), std::string::npos);
  const nlohmann::json data = reply.json();
  ASSERT_TRUE(data.is_object()) << reply.body;
  EXPECT_EQ(data["user"]["id"], user.id);
  EXPECT_EQ(data["profile"]["display_name"], "exporter");
  ASSERT_EQ(data["courses"].size(), 1u);
  EXPECT_EQ(data["courses"][0]["id"], course);
  EXPECT_EQ(data["courses"][0]["title"], "Calculus I");
  EXPECT_EQ(data["courses"][0]["syllabus"], "Week 1: limits");
  EXPECT_EQ(data["topics"].size(), 1u);
  EXPECT_EQ(data["inputs"][0]["content"], "remember epsilon-delta");
  for (const char* key :
       {"allocations", "ai_jobs", "subscriptions", "purchases", "redemptions", "files"}) {
    EXPECT_TRUE(data[key].is_array()) << key;
  }
  EXPECT_EQ(reply.body.find("<script"), std::string::npos);
  EXPECT_EQ(reply.body.find("onerror"), std::string::npos);
  EXPECT_EQ(reply.body.find("Organic Chemistry"), std::string::npos)
      << "another user's course leaked";
  EXPECT_EQ(get("/functions/v1/export").status, 401);
}

TEST_F(DataExportTest, PrintPageEscapesStoredTextAndIsOwnerOnly) {
  const TestUser user = create_user();
  const std::string course = create_course_with_markup(user);
  const HttpReply page = get("/functions/v1/courses/" + course + "/print", &user);
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_NE(page.header("content-type").find("text/html"), std::string::npos);
  EXPECT_EQ(page.body.find(kPayload), std::string::npos);
  EXPECT_NE(page.body.find("&lt;script&gt;alert(1)&lt;/script&gt;Week 1: limits"),
            std::string::npos)
      << page.body;
  EXPECT_EQ(page.body.find("<img"), std::string::npos);

  const TestUser stranger = create_user("stranger");
  EXPECT_EQ(get("/functions/v1/courses/" + course + "/print", &stranger).status, 404);
}

TEST_F(DataExportTest, DefectXssUnsanitizedSendsStoredMarkupOutRaw) {
  use_defects({"xss-unsanitized"});
  const TestUser user = create_user();
  const std::string course = create_course_with_markup(user);
  const HttpReply exported = get("/functions/v1/export", &user);
  ASSERT_EQ(exported.status, 200);
  EXPECT_EQ(exported.json()["courses"][0]["syllabus"], std::string(kPayload) + "Week 1: limits");
  const HttpReply page = get("/functions/v1/courses/" + course + "/print", &user);
  EXPECT_NE(page.body.find(kPayload), std::string::npos);
  EXPECT_NE(page.body.find("<img src=x onerror=alert(2)>"), std::string::npos);
}

}  // namespace
}  // namespace golive::testing
