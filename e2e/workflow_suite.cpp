#include "e2e/workflow_suite.hpp"

#include <algorithm>
#include <boost/asio/post.hpp>

namespace golive::e2e {

namespace {
constexpr std::chrono::milliseconds kStopCheckInterval{100};
}  // namespace

bool SuiteOutcome::ok() const {
  return !stopped && not_started == 0 &&
         std::all_of(instances.begin(), instances.end(), [](const auto& i) { return i.ok(); });
}

std::shared_ptr<WorkflowSuite> WorkflowSuite::create(
    std::vector<std::shared_ptr<const Workflow>> workflows, http::HttpClient& client,
    SuiteOptions options) {
  return std::shared_ptr<WorkflowSuite>(
      new WorkflowSuite(std::move(workflows), client, std::move(options)));
}

WorkflowSuite::WorkflowSuite(std::vector<std::shared_ptr<const Workflow>> workflows,
                             http::HttpClient& client, SuiteOptions options)
    : client_(client), options_(std::move(options)), stop_check_timer_(client.executor()) {
  if (!options_.environment) throw std::invalid_argument("SuiteOptions.environment is required");
  options_.jobs = std::max<std::size_t>(options_.jobs, 1);
  for (auto& workflow : workflows) {
    if (workflow->dataset) {
      for (std::size_t row = 0; row < workflow->dataset->rows.size(); ++row) {
        pending_.push_back({workflow, row});
      }
    } else {
      pending_.push_back({workflow, std::nullopt});
    }
  }
}

std::string WorkflowSuite::instance_id_prefix(const Workflow& workflow,
                                              std::optional<std::size_t> row) {
  std::string prefix = "e2e." + workflow.name;
  if (row) prefix += ".row" + std::to_string(*row + 1);
  return prefix;
}

void WorkflowSuite::start(FinishedCallback on_finished) {
  on_finished_ = std::move(on_finished);
  auto self = shared_from_this();
  boost::asio::post(client_.executor(), [self] {
    if (self->options_.should_stop) self->on_stop_check();
    self->start_more();
  });
}

void WorkflowSuite::start_more() {
  while (!outcome_.stopped && running_.size() < options_.jobs && next_ < pending_.size()) {
    const Instance& instance = pending_[next_++];
    WorkflowRunOptions run_options;
    run_options.environment = options_.environment;
    run_options.results = options_.results;
    run_options.redactor = options_.redactor;
    run_options.on_exchange = options_.on_exchange;
    run_options.dataset_row = instance.row;
    run_options.id_prefix = instance_id_prefix(*instance.workflow, instance.row);
    auto run = WorkflowRun::create(instance.workflow, client_, std::move(run_options));
    running_.push_back(run);
    auto self = shared_from_this();
    std::weak_ptr<WorkflowRun> weak_run = run;
    run->start([self, weak_run](const WorkflowOutcome& outcome) {
      self->on_instance_finished(outcome, weak_run.lock());
    });
  }
  if (running_.empty() && !finished_ && (outcome_.stopped || next_ >= pending_.size())) {
    finished_ = true;
    outcome_.not_started = pending_.size() - next_;
    stop_check_timer_.cancel();
    if (on_finished_) on_finished_(outcome_);
  }
}

void WorkflowSuite::on_instance_finished(const WorkflowOutcome& outcome,
                                         const std::shared_ptr<WorkflowRun>& run) {
  outcome_.instances.push_back(outcome);
  running_.erase(std::remove(running_.begin(), running_.end(), run), running_.end());
  if (options_.on_instance_finished) options_.on_instance_finished(outcome);
  // Start the next instance from a fresh handler, not inside the finished run's.
  auto self = shared_from_this();
  boost::asio::post(client_.executor(), [self] { self->start_more(); });
}

void WorkflowSuite::on_stop_check() {
  if (finished_) return;
  if (!outcome_.stopped && options_.should_stop()) {
    outcome_.stopped = true;
    for (auto& run : running_) run->request_stop();
    start_more();  // finishes at once when nothing is running
    return;
  }
  if (outcome_.stopped) return;
  stop_check_timer_.expires_after(kStopCheckInterval);
  auto self = shared_from_this();
  stop_check_timer_.async_wait([self](const boost::system::error_code& error) {
    if (!error) self->on_stop_check();
  });
}

}  // namespace golive::e2e
