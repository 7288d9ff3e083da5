// /storage/v1 against the real service: owner-only objects, upload limits by
// type, content and size, short-lived signed URLs, and the storage-public,
// signed-url-no-expiry and upload-no-limits defects.
#include <chrono>
#include <thread>

#include "tests/support/service/function_test_support.hpp"

namespace golive::testing {
namespace {

const std::string kPng("\x89PNG\r\n\x1A\n\0\0\0\rIHDR", 16);
constexpr std::size_t kTenMegabytes = 10 * 1024 * 1024;

class StorageTest : public ReferenceServiceTest {
 protected:
  std::string object_path(const TestUser& user, const std::string& file) {
    return "/storage/v1/object/uploads/" + user.id + "/" + file;
  }

  HttpReply upload(const TestUser& user, const std::string& path, const std::string& content_type,
                   const std::string& bytes, const std::string& method = "POST") {
    return http_request(method, url(path), bytes, {user.bearer(), "Content-Type: " + content_type});
  }

  // The signed URL of `path`'s object (expiresIn seconds; 0 = server default).
  nlohmann::json sign(const TestUser& user, const std::string& path, int expires_in = 0) {
    const std::string sign_path =
        "/storage/v1/object/sign/" + path.substr(std::string("/storage/v1/object/").size());
    nlohmann::json body = nlohmann::json::object();
    if (expires_in > 0) body["expiresIn"] = expires_in;
    const HttpReply reply = post_json(sign_path, body, &user);
    EXPECT_EQ(reply.status, 200) << reply.body;
    return reply.json();
  }

  // Uploads a note, signs it for 1 s, waits until it has expired and
  // fetches it anonymously; returns that status.
  long fetch_expired_signed_url() {
    const TestUser user = create_user();
    const std::string path = object_path(user, "expiring.txt");
    EXPECT_EQ(upload(user, path, "text/plain", "short-lived").status, 200);
    const nlohmann::json signed_url = sign(user, path, 1);
    EXPECT_EQ(signed_url["expiresIn"], 1);
    // Supabase's shape: below the storage prefix.
    const std::string link = "/storage/v1" + signed_url["signedURL"].get<std::string>();
    EXPECT_EQ(http_request("GET", url(link)).status, 200);
    std::this_thread::sleep_for(std::chrono::milliseconds(2200));
    return http_request("GET", url(link)).status;
  }
};

TEST_F(StorageTest, TheOwnerUploadsDownloadsAndDeletes) {
  const TestUser user = create_user();
  const std::string path = object_path(user, "notes/week 1.txt");
  const std::string escaped = object_path(user, "notes/week%201.txt");
  const HttpReply uploaded =
      upload(user, escaped, "text/plain; charset=utf-8", "integrals are areas");
  ASSERT_EQ(uploaded.status, 200) << uploaded.body;
  EXPECT_EQ(uploaded.json()["Key"], "uploads/" + user.id + "/notes/week 1.txt");

  const HttpReply downloaded = get(escaped, &user);
  EXPECT_EQ(downloaded.status, 200);
  EXPECT_EQ(downloaded.body, "integrals are areas");
  EXPECT_EQ(downloaded.header("content-type").rfind("text/plain", 0), 0u);

  EXPECT_EQ(upload(user, escaped, "text/plain", "again").status, 409);
  EXPECT_EQ(upload(user, escaped, "text/plain", "replaced", "PUT").status, 200);
  EXPECT_EQ(get(escaped, &user).body, "replaced");

  EXPECT_EQ(http_request("DELETE", url(escaped), "", {user.bearer()}).status, 200);
  EXPECT_EQ(get(escaped, &user).status, 404);
}

TEST_F(StorageTest, OtherUsersAndAnonymousCallersCannotTouchAPrivateObject) {
  const TestUser owner = create_user("owner");
  const TestUser other = create_user("other");
  const std::string path = object_path(owner, "secret.txt");
  ASSERT_EQ(upload(owner, path, "text/plain", "owner only").status, 200);
  EXPECT_EQ(get(path, &other).status, 404);
  EXPECT_EQ(get(path).status, 401);
  EXPECT_EQ(
      http_request("GET", url("/storage/v1/object/public/uploads/" + owner.id + "/secret.txt"))
          .status,
      400);
  EXPECT_EQ(http_request("DELETE", url(path), "", {other.bearer()}).status, 404);
  const HttpReply sign_other =
      post_json("/storage/v1/object/sign/uploads/" + owner.id + "/secret.txt",
                nlohmann::json::object(), &other);
  EXPECT_EQ(sign_other.status, 404);
  EXPECT_EQ(get(path, &owner).body, "owner only");  // still there
}

TEST_F(StorageTest, UploadsAreLimitedByTypeContentAndSize) {
  const TestUser user = create_user();
  EXPECT_EQ(
      upload(user, object_path(user, "a.pdf"), "application/pdf", "%PDF-1.4\n%\xE2\xE3\n").status,
      200);
  EXPECT_EQ(upload(user, object_path(user, "a.png"), "image/png", kPng).status, 200);
  EXPECT_EQ(
      upload(user, object_path(user, "a.jpg"), "image/jpeg", "\xFF\xD8\xFF\xE0\x00\x10JFIF").status,
      200);

  const HttpReply html =
      upload(user, object_path(user, "a.html"), "text/html", "<script>alert(1)</script>");
  EXPECT_EQ(html.status, 415) << html.body;
  const HttpReply disguised =
      upload(user, object_path(user, "fake.png"), "image/png", "MZ\x90\x00 not a png");
  EXPECT_EQ(disguised.status, 415) << disguised.body;
  EXPECT_EQ(disguised.json().value("code", ""), "content_type_mismatch");
  EXPECT_EQ(upload(user, object_path(user, "bin.txt"), "text/plain", std::string("a\0b", 3)).status,
            415);

  const HttpReply too_large =
      upload(user, object_path(user, "big.txt"), "text/plain", std::string(kTenMegabytes + 1, 'x'));
  EXPECT_EQ(too_large.status, 413) << too_large.body;
  EXPECT_EQ(
      sql_value(admin(), "SELECT count(*) FROM storage.objects WHERE owner = '" + user.id + "'"),
      "3");
}

TEST_F(StorageTest, ASignedUrlOpensTheObjectUntilItExpires) {
  const TestUser user = create_user();
  const std::string path = object_path(user, "shared.txt");
  ASSERT_EQ(upload(user, path, "text/plain", "shared for a moment").status, 200);

  const nlohmann::json default_ttl = sign(user, path);
  EXPECT_GT(default_ttl["expiresIn"].get<int>(), 0);
  EXPECT_LE(default_ttl["expiresAt"].get<std::int64_t>(),
            now_unix() + default_ttl["expiresIn"].get<int>() + 2);
  const std::string link = "/storage/v1" + default_ttl["signedURL"].get<std::string>();
  EXPECT_EQ(link.rfind("/storage/v1/object/sign/uploads/" + user.id + "/shared.txt?token=", 0), 0u)
      << link;
  const HttpReply anonymous = http_request("GET", url(link));
  EXPECT_EQ(anonymous.status, 200);
  EXPECT_EQ(anonymous.body, "shared for a moment");

  // The token opens only the object it was issued for.
  const std::string token = link.substr(link.find("?token="));
  ASSERT_EQ(upload(user, object_path(user, "other.txt"), "text/plain", "other").status, 200);
  EXPECT_EQ(
      http_request("GET", url("/storage/v1/object/sign/uploads/" + user.id + "/other.txt" + token))
          .status,
      400);
  EXPECT_EQ(http_request("GET", url("/storage/v1/object/sign/uploads/" + user.id +
                                    "/shared.txt?token=x.y.z"))
                .status,
            400);

  EXPECT_EQ(fetch_expired_signed_url(), 400);
}

// --- Defects -----------------------------------------------------------------

TEST_F(StorageTest, DefectStoragePublicServesPrivateObjectsToAnyone) {
  const TestUser owner = create_user("owner");
  const std::string path = object_path(owner, "leaked.txt");
  ASSERT_EQ(upload(owner, path, "text/plain", "should stay private").status, 200);
  use_defects({"storage-public"});
  const HttpReply anonymous = get(path);
  EXPECT_EQ(anonymous.status, 200);
  EXPECT_EQ(anonymous.body, "should stay private");
  const TestUser stranger = create_user("stranger");
  EXPECT_EQ(get(path, &stranger).status, 200);
}

TEST_F(StorageTest, DefectSignedUrlNoExpiryKeepsExpiredLinksWorking) {
  use_defects({"signed-url-no-expiry"});
  EXPECT_EQ(fetch_expired_signed_url(), 200);
}

TEST_F(StorageTest, DefectUploadNoLimitsAcceptsAnyTypeAndSize) {
  use_defects({"upload-no-limits"});
  const TestUser user = create_user();
  EXPECT_EQ(
      upload(user, object_path(user, "page.html"), "text/html", "<script>alert(1)</script>").status,
      200);
  EXPECT_EQ(upload(user, object_path(user, "fake.png"), "image/png", "MZ\x90\x00 not a png").status,
            200);
  const HttpReply too_large = upload(user, object_path(user, "big.txt"), "text/plain",
                                     std::string(kTenMegabytes + 1024, 'x'));
  EXPECT_EQ(too_large.status, 200) << too_large.body;
}

}  // namespace
}  // namespace golive::testing
