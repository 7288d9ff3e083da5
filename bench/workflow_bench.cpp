// The workflow runner's own cost per step, without the network: rendering a
// step's request from its compiled templates, and evaluating a response
// (JSON parse, assertions, captures). One iteration = one step, so the time
// column reads as ns/step. A load-generator virtual user pays exactly this
// on top of the HTTP engine's cost.
#include <benchmark/benchmark.h>

#include "core/url.hpp"
#include "http/http_types.hpp"
#include "e2e/cookie_jar.hpp"
#include "e2e/response_checks.hpp"
#include "e2e/step_request.hpp"
#include "e2e/workflow_parser.hpp"

namespace {

using namespace golive;

// A step shaped like the shipped journeys: a REST read with a filter, a
// bearer token, a JSON body with three variables, three assertions and two
// JSON captures.
const char* kWorkflow = R"({
  "description": "benchmark step",
  "variables": {"email": "user@example.test", "plan_id": "11111111-0000-4000-8000-000000000001"},
  "headers": {"apikey": "{{env.anon_key}}"},
  "steps": [
    {"name": "login", "method": "POST", "url": "/auth/v1/token", "capture": [{"var": "token", "json": "/access_token"}, {"var": "user_id", "json": "/user/id"}]},
    {"name": "checkout", "method": "POST", "url": "{{env.paths.functions}}/checkout",
     "query": {"select": "id,status", "user_id": "eq.{{user_id}}"},
     "headers": {"Authorization": "Bearer {{token}}"},
     "body": {"plan_id": "{{plan_id}}", "customer_email": "{{email}}", "user": "{{user_id}}", "quantity": 1},
     "assert": [{"status": 200}, {"json": "/status", "equals": "open"}, {"json": "/client_reference_id", "equals": "{{user_id}}"}],
     "capture": [{"var": "session_id", "json": "/id"}, {"var": "amount", "json": "/amount_total"}]}
  ]
})";

struct Fixture {
  Fixture()
      : workflow(e2e::parse_workflow(nlohmann::json::parse(kWorkflow), "/bench/workflow.json")),
        values(workflow.symbols.size(), 1) {
    config::Environment env;
    env.base_url = "http://127.0.0.1:54321";
    env.anon_key = "eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoiYW5vbiJ9.c2lnbmF0dXJl";
    auto fields = e2e::environment_field_values(env);
    for (std::size_t slot = 0; slot < fields.size(); ++slot) values.set(slot, fields[slot]);
    for (const auto& v : workflow.variables)
      values.set(v.slot, v.value.render(values, workflow.symbols));
    values.set(*workflow.symbols.find("token"),
               "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
               "eyJzdWIiOiI1ZjNkIiwicm9sZSI6ImF1dGhlbnRpY2F0ZWQifQ.sig");
    values.set(*workflow.symbols.find("user_id"), "5f3d2c1b-0a9e-4d8c-b7a6-112233445566");
    response.status = 200;
    response.headers = {{"content-type", "application/json; charset=utf-8"},
                        {"content-length", "512"}};
    response.body =
        nlohmann::json{{"id", "cs_test_8f14e45fceea167a"},
                       {"object", "checkout.session"},
                       {"url", "https://checkout.stripe.com/c/pay/cs_test_8f14e45fceea167a"},
                       {"status", "open"},
                       {"amount_total", 900},
                       {"client_reference_id", "5f3d2c1b-0a9e-4d8c-b7a6-112233445566"},
                       {"plan_id", "11111111-0000-4000-8000-000000000001"},
                       {"metadata", {{"source", "golive"}, {"items", {1, 2, 3, 4}}}}}
            .dump();
  }
  const e2e::Step& step() const { return workflow.steps[1]; }

  e2e::Workflow workflow;
  e2e::TemplateValues values;
  http::HttpResponse response;
};

void BM_RenderStepRequest(benchmark::State& state) {
  Fixture fixture;
  http::HttpRequest request;
  e2e::RequestContext context{"http://127.0.0.1:54321", ""};
  for (auto _ : state) {
    auto failure = e2e::render_step_request(fixture.step(), fixture.values,
                                            fixture.workflow.symbols, context, request);
    benchmark::DoNotOptimize(failure);
    benchmark::DoNotOptimize(request.body.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel("url + query + 2 headers + JSON body, 6 variables");
}
BENCHMARK(BM_RenderStepRequest);

void BM_TemplateRenderHeader(benchmark::State& state) {
  Fixture fixture;
  const e2e::Template& bearer = fixture.step().headers.back().second;
  std::string out;
  for (auto _ : state) {
    out.clear();
    benchmark::DoNotOptimize(bearer.render_into(fixture.values, out));
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel("\"Bearer {{token}}\"");
}
BENCHMARK(BM_TemplateRenderHeader);

void BM_EvaluateResponse(benchmark::State& state) {
  Fixture fixture;
  for (auto _ : state) {
    e2e::ResponseView view(fixture.response, 1.0);
    auto failure = e2e::first_failed_assertion(fixture.step(), view, fixture.values);
    auto capture_failure = e2e::apply_captures(fixture.step(), view, fixture.values);
    benchmark::DoNotOptimize(failure);
    benchmark::DoNotOptimize(capture_failure);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() *
                          static_cast<std::int64_t>(fixture.response.body.size()));
  state.SetLabel("JSON parse + 3 assertions + 2 JSON captures");
}
BENCHMARK(BM_EvaluateResponse);

void BM_WholeStep(benchmark::State& state) {
  Fixture fixture;
  http::HttpRequest request;
  e2e::RequestContext context{"http://127.0.0.1:54321", ""};
  for (auto _ : state) {
    e2e::render_step_request(fixture.step(), fixture.values, fixture.workflow.symbols, context,
                             request);
    e2e::ResponseView view(fixture.response, 1.0);
    benchmark::DoNotOptimize(e2e::first_failed_assertion(fixture.step(), view, fixture.values));
    benchmark::DoNotOptimize(e2e::apply_captures(fixture.step(), view, fixture.values));
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel("render + evaluate: the runner's cost per step");
}
BENCHMARK(BM_WholeStep);

// A web-app step: a form body with a CSRF token, the run's cookie jar
// rendering the Cookie header and storing two Set-Cookie headers, a cookie
// assertion and a CSS-selector capture from a 1 KB HTML page.
const char* kFormWorkflow = R"({
  "description": "benchmark form step",
  "variables": {"email": "user@example.test", "password": "pw-123456", "csrf_token": "c5f3"},
  "steps": [
    {"name": "sign_in", "method": "POST", "url": "/web/login",
     "form": {"email": "{{email}}", "password": "{{password}}", "csrf_token": "{{csrf_token}}"},
     "assert": [{"status": 200}, {"cookie": "zss_session", "http_only": true}],
     "capture": [{"var": "user_email", "html": "#user-email"}]}
  ]
})";

void BM_FormCookieHtmlStep(benchmark::State& state) {
  e2e::Workflow workflow =
      e2e::parse_workflow(nlohmann::json::parse(kFormWorkflow), "/bench/form.json");
  e2e::TemplateValues values(workflow.symbols.size(), 1);
  for (const auto& v : workflow.variables) values.set(v.slot, v.value.render(values, workflow.symbols));
  const e2e::Step& step = workflow.steps[0];
  http::HttpResponse response;
  response.status = 200;
  response.headers = {{"content-type", "text/html; charset=utf-8"},
                      {"set-cookie", "zss_session=eyJhbGciOiJIUzI1NiJ9.e30.sig; Path=/web; Max-Age=3600; HttpOnly; SameSite=Lax"},
                      {"set-cookie", "zss_csrf=; Path=/web; Max-Age=0"}};
  response.body = "<!doctype html><html><head><title>Your study plan</title></head><body><main>"
                  "<h1>Your study plan</h1><p>Signed in as <span id=\"user-email\">user@example.test"
                  "</span></p><p>Courses: <span id=\"course-count\">3</span></p>" +
                  std::string(800, ' ') + "</main></body></html>";
  const auto url = *core::parse_url("http://127.0.0.1:54321/web/login");
  e2e::CookieJar jar;
  jar.store("zss_csrf=c5f3; Path=/web; HttpOnly; SameSite=Strict", url,
            std::chrono::system_clock::now());
  http::HttpRequest request;
  e2e::RequestContext context{"http://127.0.0.1:54321", ""};
  for (auto _ : state) {
    e2e::render_step_request(step, values, workflow.symbols, context, request);
    const auto now = std::chrono::system_clock::now();
    request.headers.emplace_back("Cookie", jar.cookie_header(url, now));
    jar.store_all(response.headers, url, now);
    e2e::ResponseView view(response, 1.0);
    view.set_context(&jar, "http://127.0.0.1:54321/web/app", 0);
    benchmark::DoNotOptimize(e2e::first_failed_assertion(step, view, values));
    benchmark::DoNotOptimize(e2e::apply_captures(step, view, values));
    jar.store("zss_csrf=c5f3; Path=/web; HttpOnly; SameSite=Strict", url, now);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel("form + cookie jar + cookie assertion + CSS capture from 1 KB HTML");
}
BENCHMARK(BM_FormCookieHtmlStep);

}  // namespace

BENCHMARK_MAIN();
