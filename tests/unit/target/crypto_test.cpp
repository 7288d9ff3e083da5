// Known-answer tests for target/crypto: RFC 4231 (HMAC-SHA256), FIPS 180-2
// (SHA-256), RFC 4648 (base64), RFC 7914 section 11 (PBKDF2-HMAC-SHA256), plus
// the edge cases of the codecs and the password record format.
#include "target/crypto.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace golive::core {
namespace {

std::string bytes_of(const std::string& hex) {
  auto bytes = from_hex(hex);
  EXPECT_TRUE(bytes.has_value()) << hex;
  return bytes.value_or("");
}

struct HmacVector {
  const char* name;
  std::string key;
  std::string data;
  std::string tag_hex;  // full 32-byte tag, or the 16-byte prefix for test case 5
};

TEST(HmacSha256, MatchesRfc4231Vectors) {
  const std::string key_131(131, '\xaa');
  const HmacVector vectors[] = {
      {"case 1", std::string(20, '\x0b'), "Hi There",
       "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
      {"case 2", "Jefe", "what do ya want for nothing?",
       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
      {"case 3", std::string(20, '\xaa'), std::string(50, '\xdd'),
       "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
      {"case 4", bytes_of("0102030405060708090a0b0c0d0e0f10111213141516171819"),
       std::string(50, '\xcd'), "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"},
      {"case 5 (truncated to 128 bits)", std::string(20, '\x0c'), "Test With Truncation",
       "a3b6167473100ee06e0c796c2955552b"},
      {"case 6", key_131, "Test Using Larger Than Block-Size Key - Hash Key First",
       "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
      {"case 7", key_131,
       "This is a test using a larger than block-size key and a larger than block-size data. "
       "The key needs to be hashed before being used by the HMAC algorithm.",
       "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
  };
  for (const auto& vector : vectors) {
    const std::string tag = target::hmac_sha256(vector.key, vector.data);
    ASSERT_EQ(tag.size(), 32u) << vector.name;
    EXPECT_EQ(to_hex(tag).substr(0, vector.tag_hex.size()), vector.tag_hex) << vector.name;
  }
}

TEST(HmacSha256, AcceptsEmptyKeyAndData) {
  // Cross-checked with Python: hmac.new(b"", b"", sha256).
  EXPECT_EQ(to_hex(target::hmac_sha256("", "")),
            "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

TEST(HmacSha256, KeyAndDataMayContainNulBytes) {
  const std::string key("k\0y", 3);
  EXPECT_NE(target::hmac_sha256(key, "x"), target::hmac_sha256("k", "x"));
  EXPECT_NE(target::hmac_sha256("k", std::string("x\0", 2)), target::hmac_sha256("k", "x"));
}

TEST(Sha256Hex, MatchesFips180Vectors) {
  EXPECT_EQ(target::sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(target::sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(target::sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Hex, RoundTripsEveryByteValue) {
  std::string all_bytes;
  for (int value = 0; value < 256; ++value) all_bytes += static_cast<char>(value);
  const std::string hex = to_hex(all_bytes);
  EXPECT_EQ(hex.size(), 512u);
  EXPECT_EQ(hex.substr(0, 8), "00010203");
  EXPECT_EQ(hex.substr(504), "fcfdfeff");
  EXPECT_EQ(from_hex(hex), all_bytes);
}

TEST(Hex, DecodesUpperCaseAndRejectsMalformedInput) {
  EXPECT_EQ(from_hex("DEADbeef"), std::string("\xde\xad\xbe\xef"));
  EXPECT_EQ(from_hex(""), std::string());
  EXPECT_FALSE(from_hex("abc").has_value());   // odd length
  EXPECT_FALSE(from_hex("zz").has_value());    // not hex
  EXPECT_FALSE(from_hex("0x12").has_value());  // no prefixes
  EXPECT_FALSE(from_hex("12 34").has_value());
}

TEST(Base64, MatchesRfc4648Vectors) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foob"), "Zm9vYg==");
  EXPECT_EQ(base64_encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64_encode("\xfb\xff"), "+/8=");
}

TEST(Base64Url, UsesUrlAlphabetWithoutPadding) {
  EXPECT_EQ(base64url_encode(""), "");
  EXPECT_EQ(base64url_encode("f"), "Zg");
  EXPECT_EQ(base64url_encode("fo"), "Zm8");
  EXPECT_EQ(base64url_encode("foo"), "Zm9v");
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
  EXPECT_EQ(base64url_encode("\xff\xff\xff"), "____");
}

TEST(Base64Url, DecodesWithAndWithoutPadding) {
  EXPECT_EQ(base64url_decode("Zg"), std::string("f"));
  EXPECT_EQ(base64url_decode("Zg=="), std::string("f"));
  EXPECT_EQ(base64url_decode("Zm8"), std::string("fo"));
  EXPECT_EQ(base64url_decode("Zm8="), std::string("fo"));
  EXPECT_EQ(base64url_decode("Zm9vYmFy"), std::string("foobar"));
  EXPECT_EQ(base64url_decode("-_8"), std::string("\xfb\xff"));
  EXPECT_EQ(base64url_decode(""), std::string());
}

TEST(Base64Url, RejectsMalformedInput) {
  EXPECT_FALSE(base64url_decode("Z").has_value());      // length % 4 == 1
  EXPECT_FALSE(base64url_decode("Zm9vY").has_value());  // length % 4 == 1
  EXPECT_FALSE(base64url_decode("+/8").has_value());    // standard alphabet
  EXPECT_FALSE(base64url_decode("Zg=").has_value());    // incomplete padding
  EXPECT_FALSE(base64url_decode("Zg===").has_value());  // too much padding
  EXPECT_FALSE(base64url_decode("====").has_value());   // padding only
  EXPECT_FALSE(base64url_decode("Z=g=").has_value());   // padding in the middle
  EXPECT_FALSE(base64url_decode("Zm 9v").has_value());  // whitespace
  EXPECT_FALSE(base64url_decode("Zh").has_value());     // non-zero trailing bits
  EXPECT_FALSE(base64url_decode("Zm9").has_value());    // non-zero trailing bits
}

TEST(Base64Url, RoundTripsEveryLengthAndByte) {
  std::string bytes;
  for (int length = 0; length < 70; ++length) {
    EXPECT_EQ(base64url_decode(base64url_encode(bytes)), bytes) << "length " << length;
    bytes += static_cast<char>((length * 97 + 13) & 0xff);
  }
}

TEST(ConstantTimeEquals, ComparesContentAndLength) {
  EXPECT_TRUE(target::constant_time_equals("", ""));
  EXPECT_TRUE(target::constant_time_equals("abc", "abc"));
  EXPECT_FALSE(target::constant_time_equals("abc", "abd"));
  EXPECT_FALSE(target::constant_time_equals("abc", "ab"));
  EXPECT_FALSE(target::constant_time_equals("", "a"));
  EXPECT_TRUE(target::constant_time_equals(std::string("a\0b", 3), std::string("a\0b", 3)));
  EXPECT_FALSE(target::constant_time_equals(std::string("a\0b", 3), std::string("a\0c", 3)));
}

TEST(RandomBytes, HasRequestedLengthAndVaries) {
  EXPECT_EQ(random_bytes(0), "");
  EXPECT_EQ(random_bytes(64).size(), 64u);
  std::set<std::string> seen;
  for (int i = 0; i < 16; ++i) seen.insert(random_bytes(16));
  EXPECT_EQ(seen.size(), 16u);  // 128-bit values: a collision means a broken generator
}

TEST(RandomHex, IsLowercaseHexOfTwiceTheLength) {
  const std::string hex = random_hex(20);
  ASSERT_EQ(hex.size(), 40u);
  EXPECT_EQ(hex.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(random_hex(20), hex);
}


}  // namespace
}  // namespace golive::core
