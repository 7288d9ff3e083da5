#include "security/check_ids.hpp"

namespace golive::security {

namespace {

// The static audit's lints (rls_static_audit.cpp): each emits one passing
// `security.rls.static.<lint>` when clean, or one failing record per table.
constexpr const char* kStaticLints[] = {
    "rls_enabled",          "policy_exists_rls_disabled",   "rls_enabled_no_policy",
    "select_policy_owner",  "insert_policy_owner",          "update_policy_owner",
    "delete_policy_owner",  "all_policy_owner",             "multiple_permissive_policies",
    "auth_rls_initplan",    "auth_users_exposed",           "security_definer_view",
    "function_search_path_mutable", "unindexed_foreign_keys",
    "rls_policy_always_true", "shadowed_policy", "no_primary_key",
    "security_definer_search_path_mutable", "unused_index",
    // {table} is the function's name for these two.
    "anon_security_definer_function_executable", "authenticated_security_definer_function_executable",
    // The schema lints (schema_lints.cpp); {table} is the extension's name for extension_in_public.
    "duplicate_index", "extension_in_public", "rls_references_user_metadata", "materialized_view_in_api",
    "foreign_table_in_api", "fkey_to_auth_unique", "sensitive_columns_exposed", "rls_policy_null_auth_disjunct",
    // {schema}.{table} is the extension's schema and name for extension_versions_outdated.
    "unsupported_reg_types", "extension_versions_outdated", "autovacuum_disabled", "table_bloat", "invalid_index",
    "public_bucket_allows_listing",
    // {schema}.{table} is "cluster" and the slot's name.
    "unused_replication_slot",
};

// The cross-user probes (rls_cross_user_probe.cpp), one record per table.
constexpr const char* kRlsProbes[] = {
    "cross_user_select",    "cross_user_insert",   "cross_user_update",  "cross_user_delete",
    "ownership_transfer_update", "service_only_select", "service_only_insert",
    "service_only_update",  "service_only_delete", "anon_select",        "anon_insert",
    "anon_update",          "anon_delete",         "anon_select_inactive", "user_select_inactive",
    "outsider_select",      "outsider_insert",     "outsider_update",    "outsider_delete",
    "self_grant_insert",    "anon_select_beyond_filter", "cross_group_select",
    "definer_call",  // {table} is the function's name
};

// The header rules (header_probe.cpp).
constexpr const char* kHeaderRules[] = {
    "csp", "csp_unsafe_inline", "hsts", "x_frame_options", "x_content_type_options",
    "referrer_policy", "permissions_policy", "cookie_flags", "server_version_leak", "score",
};

// Secret kinds (secret_scanner.cpp).
constexpr const char* kSecretKinds[] = {"stripe_live_key", "service_role_jwt", "private_key_pem"};

}  // namespace

std::vector<std::string> security_check_ids() {
  std::vector<std::string> ids;
  for (const char* lint : kStaticLints) {
    ids.push_back(std::string("security.rls.static.") + lint);
    ids.push_back(std::string("security.rls.static.") + lint + ".{schema}.{table}");
  }
  for (const char* probe : kRlsProbes) {
    ids.push_back(std::string("security.rls.") + probe + ".{schema}.{table}");
  }
  for (const char* id : {"security.rls.database", "security.rls.dynamic_probe", "security.rls.residue"}) {
    ids.emplace_back(id);
  }
  // The API access matrix (api_rls_matrix.cpp).
  for (const char* id : {"security.api_rls", "security.api_rls.{schema}.{table}", "security.api_rls.setup",
                          "security.api_rls.residue", "security.api_rls.function.{resource}"}) {
    ids.emplace_back(id);
  }
  for (const char* rule : kHeaderRules) ids.push_back(std::string("security.headers.") + rule);
  for (const char* id : {
           "security.cors.reflect_origin", "security.cors.null_origin",
           "security.jwt.alg_none", "security.jwt.wrong_key", "security.jwt.expired",
           "security.jwt.service_role_forged", "security.jwt.service_role_real_secret",
           "security.jwt.deleted_user",
           "security.authz.setup", "security.authz.no_token", "security.authz.rest_read_other_user",
           "security.authz.rest_update_other_user", "security.authz.rest_delete_other_user",
           "security.authz.function_export", "security.authz.cleanup",
           "security.authz.captcha_signup", "security.authz.captcha_login",
           "security.ratelimit.signup", "security.ratelimit.token",
           // security.rate_limit.endpoints and security.authz.resources name their own.
           "security.ratelimit.{endpoint}", "security.jwt.forgery",
           "security.authz.bola.{resource}.setup", "security.authz.bola.{resource}.{verb}",
           "security.injection.setup", "security.injection.request_budget",
           "security.injection.cleanup", "security.injection.sqli.{target}",
           "security.injection.xss_stored.rest", "security.injection.xss_stored.html",
           "security.injection.xss_stored.export", "security.injection.xss_stored.{channel}",
           "security.injection.prompt_canary", "security.injection.prompt_system_leak",
           "security.injection.oversize_ai_input",
           "security.storage.setup", "security.storage.bucket_private.anon_read",
           "security.storage.bucket_private.public_url", "security.storage.cross_user.read",
           "security.storage.cross_user.sign", "security.storage.cross_user.delete",
           "security.storage.signed_url.valid_before_expiry", "security.storage.signed_url.expires",
           "security.storage.upload_type.html", "security.storage.upload_type.disguised_executable",
           "security.storage.upload_size.over_limit", "security.storage.cleanup",
           "security.secrets.bundle", "security.secrets.unreadable.{source}",
       }) {
    ids.emplace_back(id);
  }
  for (const char* kind : kSecretKinds) {
    ids.push_back(std::string("security.secrets.") + kind);
    ids.push_back(std::string("security.secrets.") + kind + ".{source}.{offset}");
  }
  return ids;
}

}  // namespace golive::security
