#include "security/stored_xss_probe.hpp"

#include "core/interrupt.hpp"
#include "security/injection_signals.hpp"

namespace golive::security {

namespace {

const std::vector<std::pair<std::string, std::string>> kRepresentation = {
    {"Prefer", "return=representation"}};

bool accepted(const std::optional<http::HttpResponse>& response) {
  return response && response->transport_ok() && response->status / 100 == 2;
}

const XssPayload& payload_for(const std::vector<XssPayload>& payloads, const std::string& field) {
  for (const auto& payload : payloads) {
    if (payload.field == field) return payload;
  }
  throw std::logic_error("no XSS payload for " + field);
}

// store_payloads' answer when the target has no <rest>/profiles at all.
constexpr const char* kNoSuchChannel = "no-such-channel";

// The writes; "" when every one was accepted, else what failed.
std::string store_payloads(InjectionContext& ctx, const std::vector<XssPayload>& payloads,
                           std::string* course_id, nlohmann::json& writes) {
  const std::string rest = ctx.client().env().paths.rest;
  const auto record = [&](const std::string& what, const std::optional<http::HttpResponse>& r) {
    writes[what] = r ? response_excerpt(*r, 120) : nlohmann::json("request budget spent");
    return accepted(r);
  };
  const nlohmann::json profile = {
      {"display_name", payload_for(payloads, "profiles.display_name").text}};
  const auto patched = ctx.send("PATCH", rest + "/profiles?user_id=eq." + ctx.user().id,
                                profile.dump(), true, nullptr, kRepresentation);
  if (!record("profiles", patched)) {
    // No such route: the target is not shaped like the reference app (its
    // own API, not PostgREST over these tables), so the channels do not apply.
    if (patched && patched->transport_ok() && (patched->status == 404 || patched->status == 405)) {
      return kNoSuchChannel;
    }
    return "PATCH profiles was refused";
  }

  const nlohmann::json course = {{"user_id", ctx.user().id},
                                 {"title", payload_for(payloads, "courses.title").text},
                                 {"syllabus", payload_for(payloads, "courses.syllabus").text}};
  const auto created =
      ctx.send("POST", rest + "/courses", course.dump(), true, nullptr, kRepresentation);
  if (!record("courses", created)) return "POST courses was refused";
  const auto rows = nlohmann::json::parse(created->body, nullptr, false);
  if (!rows.is_array() || rows.empty() || !rows[0].contains("id") || !rows[0]["id"].is_string()) {
    return "POST courses returned no id";
  }
  *course_id = rows[0]["id"].get<std::string>();
  ctx.created(rest + "/courses?id=eq." + *course_id);

  const nlohmann::json topic = {{"course_id", *course_id},
                                {"title", payload_for(payloads, "topics.title").text},
                                {"position", 0}};
  if (!record("topics", ctx.send("POST", rest + "/topics", topic.dump(), true))) {
    return "POST topics was refused";
  }
  const nlohmann::json input = {{"course_id", *course_id},
                                {"kind", "notes"},
                                {"content", payload_for(payloads, "inputs.content").text}};
  if (!record("inputs", ctx.send("POST", rest + "/inputs", input.dump(), true))) {
    return "POST inputs was refused";
  }
  return "";
}

// Records one channel's verdict from the text it returned.
void judge(InjectionContext& ctx, CheckBuilder& check, const std::vector<XssPayload>& payloads,
           const std::string& text, bool html, nlohmann::json evidence) {
  const auto fields = raw_markup_fields(payloads, text, html);
  evidence["raw_fields"] = fields;
  if (fields.empty()) {
    ctx.sink().record(check.pass("every payload came back escaped or stripped", evidence));
    return;
  }
  std::string list;
  for (const auto& field : fields) list += (list.empty() ? "" : ", ") + field;
  evidence["first_raw_fragment"] = payload_for(payloads, fields.front()).marker;
  if (!html && !ctx.settings().sanitized_storage_required) {
    ctx.sink().record(check.pass("markup is stored raw in " + list +
                                     " (allowed: xss.sanitized_storage_required is false; every "
                                     "renderer must escape it)",
                                 evidence));
    return;
  }
  ctx.sink().record(check.fail("raw markup came back in " + list, evidence));
}

void read_back_rest(InjectionContext& ctx, const std::vector<XssPayload>& payloads,
                    const std::string& course_id) {
  CheckBuilder check("security.injection.xss_stored.rest",
                     "User text read back through REST carries no live markup",
                     core::Severity::kHigh);
  const std::string rest = ctx.client().env().paths.rest;
  const std::vector<std::string> reads = {
      rest + "/profiles?select=display_name&user_id=eq." + ctx.user().id,
      rest + "/courses?select=title,syllabus&id=eq." + course_id,
      rest + "/topics?select=title&course_id=eq." + course_id,
      rest + "/inputs?select=content&course_id=eq." + course_id};
  std::string text;
  std::string text_reproduced;  // the read whose request the reproduction sends
  nlohmann::json responses = nlohmann::json::object();
  for (const auto& path : reads) {
    const auto response = ctx.send("GET", path, "", true);
    if (!accepted(response)) {
      if (response) check.reproduce(ctx.last_reproduction());
      ctx.sink().record(check.error(
          "GET " + path + " failed",
          {{"response", response ? response_excerpt(*response) : nlohmann::json("budget spent")}}));
      return;
    }
    responses[path] = response_excerpt(*response, 160);
    const std::string strings = json_strings(nlohmann::json::parse(response->body, nullptr, false));
    // The first read that carries live markup is the one to reproduce.
    if (text_reproduced.empty() && !raw_markup_fields(payloads, strings, false).empty()) {
      text_reproduced = path;
      check.reproduce(ctx.last_reproduction());
    }
    text += strings;
  }
  judge(ctx, check, payloads, text, false, {{"reads", responses}});
}

void read_back_html(InjectionContext& ctx, const std::vector<XssPayload>& payloads,
                    const std::string& course_id) {
  CheckBuilder check("security.injection.xss_stored.html",
                     "The HTML print page escapes stored user text", core::Severity::kHigh);
  const std::string path = ctx.client().env().paths.functions + "/courses/" + course_id + "/print";
  const auto response = ctx.send("GET", path, "", true);
  if (response) check.reproduce(ctx.last_reproduction());
  if (!response || !response->transport_ok()) {
    ctx.sink().record(check.error("GET " + path + " failed"));
    return;
  }
  nlohmann::json evidence = {{"request", "GET " + path},
                             {"response", response_excerpt(*response, 160)},
                             {"content_type", response->header("content-type").value_or("")}};
  if (response->status == 404) {
    ctx.sink().record(check.skip("the target has no print page", evidence));
  } else if (response->status / 100 != 2) {
    ctx.sink().record(
        check.error("the print page answered " + std::to_string(response->status), evidence));
  } else {
    judge(ctx, check, payloads, response->body, true, evidence);
  }
}

void read_back_export(InjectionContext& ctx, const std::vector<XssPayload>& payloads) {
  CheckBuilder check("security.injection.xss_stored.export",
                     "The data export carries no live markup", core::Severity::kHigh);
  const std::string path = ctx.client().env().paths.functions + "/export";
  const auto response = ctx.send("GET", path, "", true);
  if (response) check.reproduce(ctx.last_reproduction());
  if (!response || !response->transport_ok()) {
    ctx.sink().record(check.error("GET " + path + " failed"));
    return;
  }
  nlohmann::json evidence = {{"request", "GET " + path},
                             {"response", response_excerpt(*response, 160)}};
  if (response->status == 404) {
    ctx.sink().record(check.skip("the target has no export function", evidence));
    return;
  }
  const auto document = nlohmann::json::parse(response->body, nullptr, false);
  if (response->status / 100 != 2 || document.is_discarded()) {
    ctx.sink().record(check.error("the export answered " + std::to_string(response->status) +
                                      (document.is_discarded() ? " without JSON" : ""),
                                  evidence));
    return;
  }
  // A JSON export is not rendered, but the markup in it is what the target
  // stored and serves to every consumer of the file.
  judge(ctx, check, payloads, json_strings(document), false, evidence);
}

}  // namespace

void run_stored_xss_probe(InjectionContext& ctx) {
  const auto payloads = xss_payloads(ctx.run_token());
  std::string course_id;
  nlohmann::json writes = nlohmann::json::object();
  const std::string problem = store_payloads(ctx, payloads, &course_id, writes);
  if (!problem.empty()) {
    for (const char* channel : {"rest", "html", "export"}) {
      CheckBuilder check(std::string("security.injection.xss_stored.") + channel,
                         "Stored XSS payloads could be written", core::Severity::kHigh);
      if (problem == kNoSuchChannel) {
        ctx.sink().record(check.skip(
            "the stored-XSS channels are the reference app's tables (profiles, courses, topics, "
            "inputs) through paths.rest, and this target answers 404 or 405 for " +
                ctx.client().env().paths.rest +
                "/profiles; its own text fields are probed through security.injection.targets",
            {{"writes", writes}}));
      } else {
        ctx.sink().record(
            check.error("could not store the payloads: " + problem, {{"writes", writes}}));
      }
    }
    return;
  }
  read_back_rest(ctx, payloads, course_id);
  if (!core::interrupted()) read_back_html(ctx, payloads, course_id);
  if (!core::interrupted()) read_back_export(ctx, payloads);
}

}  // namespace golive::security
