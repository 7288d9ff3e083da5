// The policy reading behind the inferred RLS access models: which column a
// policy compares with auth.uid(), and which model a set of policies yields.
// The expressions are written as pg_get_expr renders them.
#include "security/rls_access_model.hpp"

#include <gtest/gtest.h>

#include "security/rls_table_model.hpp"

namespace golive::security {
namespace {

PolicyInfo policy(const std::string& command, const std::string& using_expr, const std::string& check_expr = "",
                  std::vector<std::string> roles = {"public"}) {
  PolicyInfo p;
  p.table = "public.t";
  p.name = command + "_policy";
  p.command = command;
  p.roles = std::move(roles);
  for (const auto& role : p.roles) p.api_facing = p.api_facing || role == "public" || role == "authenticated" || role == "anon";
  p.using_expr = using_expr;
  p.check_expr = check_expr;
  return p;
}

TableInfo table_owned_by(const std::string& column) {
  TableInfo t;
  t.schema = "public";
  t.name = "t";
  t.columns = {{"id", "uuid"}, {column, "uuid"}};
  t.primary_key = {"id"};
  t.ownership = Ownership{column, "", "", "", "test"};
  return t;
}

AccessExpectation infer(TableInfo table, const std::vector<PolicyInfo>& policies) {
  std::vector<TableInfo> tables{std::move(table)};
  infer_access_models(tables, {{"public.t", policies}}, {});
  return tables.front().expectation;
}

TEST(RlsAccessModel, OwnerColumnOnEitherSideOfTheComparison) {
  EXPECT_EQ(owner_column_compared_to_uid("(auth.uid() = user_id)"), "user_id");
  EXPECT_EQ(owner_column_compared_to_uid("(created_by = auth.uid())"), "created_by");
  EXPECT_EQ(owner_column_compared_to_uid("((bucket_id = 'avatars'::text) AND (auth.uid() = owner))"), "owner");
}

TEST(RlsAccessModel, QualifiedColumnsOfASubSelectAreNotTheOwner) {
  EXPECT_EQ(owner_column_compared_to_uid("(EXISTS ( SELECT 1 FROM account_user au WHERE (au.user_id = auth.uid())))"), "");
  EXPECT_EQ(owner_column_compared_to_uid("(auth.role() = 'authenticated'::text)"), "");
}

TEST(RlsAccessModel, EveryColumnComparedWithTheCallerInOrder) {
  EXPECT_EQ(columns_compared_to_uid("((auth.uid() = sender_id) OR (recipient_id = auth.uid()))"),
            (std::vector<std::string>{"sender_id", "recipient_id"}));
  EXPECT_EQ(columns_compared_to_uid("((auth.uid() = user_id) AND (auth.uid() = user_id))"),
            (std::vector<std::string>{"user_id"}));
  EXPECT_TRUE(columns_compared_to_uid("(auth.role() = 'authenticated'::text)").empty());
}

// A message's recipient reads it by design: the owner model stays, and the
// recipient column is named so the probes skip rows addressed to user A.
TEST(RlsAccessModel, RecipientColumnIsACoReaderNotTheOwner) {
  TableInfo table = table_owned_by("sender_id");
  table.columns.push_back({"recipient_id", "uuid"});
  std::vector<TableInfo> tables{table};
  infer_access_models(tables,
                      {{"public.t",
                        {policy("select", "((auth.uid() = sender_id) OR (auth.uid() = recipient_id))"),
                         policy("insert", "", "(auth.uid() = sender_id)")}}},
                      {});
  EXPECT_EQ(tables.front().expectation, AccessExpectation::kOwnerCrud);
  EXPECT_EQ(tables.front().co_reader_columns, std::vector<std::string>{"recipient_id"});
  EXPECT_NE(tables.front().model_reason.find("recipient_id reads the row too"), std::string::npos)
      << tables.front().model_reason;
}

TEST(RlsAccessModel, ArrayMembershipIsAnArrayCoReaderNotAColumnNamedAny) {
  const std::string expr = "((auth.uid() = created_by) OR (auth.uid() = ANY (participant_ids)))";
  EXPECT_EQ(columns_compared_to_uid(expr), std::vector<std::string>{"created_by"});
  EXPECT_EQ(array_columns_holding_uid(expr), std::vector<std::string>{"participant_ids"});
  TableInfo table = table_owned_by("created_by");
  table.columns.push_back({"participant_ids", "uuid[]"});
  std::vector<TableInfo> tables{table};
  infer_access_models(tables, {{"public.t", {policy("select", expr)}}}, {});
  EXPECT_EQ(tables.front().co_reader_arrays, std::vector<std::string>{"participant_ids"});
}

TEST(RlsAccessModel, PublicProfileIsSharedReadOwnerWrite) {
  EXPECT_EQ(infer(table_owned_by("id"), {policy("select", "true"), policy("update", "(auth.uid() = id)")}),
            AccessExpectation::kPublicReadOwnerWrite);
}

TEST(RlsAccessModel, OwnedTableReadableByEveryoneWithoutOwnerWritesStaysOwnerScoped) {
  EXPECT_EQ(infer(table_owned_by("id"), {policy("select", "true")}), AccessExpectation::kOwnerCrud);
}

TEST(RlsAccessModel, CatalogueWithoutOwnerIsPublicRead) {
  TableInfo catalogue = table_owned_by("id");
  catalogue.ownership.reset();
  EXPECT_EQ(infer(catalogue, {policy("select", "active")}), AccessExpectation::kPublicRead);
}

TEST(RlsAccessModel, MembershipSubSelectIsMemberOf) {
  EXPECT_EQ(infer(table_owned_by("created_by"),
                  {policy("select", "(account_id IN ( SELECT get_accounts_with_role() AS get_accounts_with_role))")}),
            AccessExpectation::kMemberOf);
}

TEST(RlsAccessModel, SubSelectOfTheChainParentComparingTheCallerIsOwnerVia) {
  TableInfo attachments = table_owned_by("post_id");
  attachments.ownership = Ownership{"post_id", "public.posts", "id", "created_by", "chain post_id -> public.posts.id"};
  EXPECT_EQ(infer(attachments, {policy("select", "(EXISTS ( SELECT 1 FROM posts p WHERE ((p.id = t.post_id) AND "
                                                 "(p.created_by = auth.uid()))))")}),
            AccessExpectation::kOwnerVia);
  // A sub-select of another table is a membership, even on a chain-owned row.
  EXPECT_EQ(infer(attachments, {policy("select", "(EXISTS ( SELECT 1 FROM team_members m WHERE "
                                                 "(m.user_id = auth.uid())))")}),
            AccessExpectation::kMemberOf);
}

TEST(RlsAccessModel, CallerDependentReadWithoutOwnerIsCustomWithThePolicyText) {
  TableInfo invites = table_owned_by("id");
  invites.ownership.reset();
  std::vector<TableInfo> tables{invites};
  infer_access_models(tables, {{"public.t", {policy("select", "(email = (auth.jwt() ->> 'email'::text))")}}}, {});
  EXPECT_EQ(tables.front().expectation, AccessExpectation::kCustom);
  EXPECT_NE(tables.front().model_reason.find("select_policy: USING (email = (auth.jwt() ->> 'email'::text))"),
            std::string::npos)
      << tables.front().model_reason;
  EXPECT_EQ(parse_access_expectation("custom", false), AccessExpectation::kCustom);
}

TEST(RlsAccessModel, PoliciesForNonApiRolesDoNotCount) {
  EXPECT_EQ(infer(table_owned_by("user_id"), {policy("select", "true", "", {"postgres"})}),
            AccessExpectation::kServiceOnly);
}

TEST(RlsAccessModel, DeclaredExpectationIsKept) {
  TableInfo declared = table_owned_by("user_id");
  declared.expectation = AccessExpectation::kOwnerReadOnly;
  declared.expectation_declared = true;
  EXPECT_EQ(infer(declared, {policy("select", "true"), policy("update", "(auth.uid() = user_id)")}),
            AccessExpectation::kOwnerReadOnly);
}

TEST(RlsAccessModel, ExpectationNamesParse) {
  EXPECT_EQ(parse_access_expectation("member_of", false), AccessExpectation::kMemberOf);
  EXPECT_EQ(parse_access_expectation("public_read_owner_write", true), AccessExpectation::kPublicReadOwnerWrite);
  EXPECT_EQ(parse_access_expectation("owner", true), AccessExpectation::kOwnerCrud);
  EXPECT_EQ(parse_access_expectation("owner_via", true), AccessExpectation::kOwnerVia);
  EXPECT_FALSE(parse_access_expectation("everyone_everything", true).has_value());
}

}  // namespace
}  // namespace golive::security
