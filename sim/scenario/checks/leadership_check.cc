// raftsim: the leadership part of the liveness finding (sim/checkers/leadership.h): a live
// majority left without a stable leader beyond the bound, and the scenario's bounds on leader
// changes and leaderless time over the run and after given fault steps.
#include <algorithm>
#include <string>

#include "sim/scenario/checks/checker.h"

namespace raftsim::sim {

namespace {

double ms(Time time) {
  return static_cast<double>(time) / kMillisecond;
}

std::string ms_text(Time time) {
  return std::to_string(time / kMillisecond) + " ms";
}

struct LivenessFailure {
  Time at = 0;
  std::string summary;
};

nlohmann::ordered_json window_json(const LeadershipWindow& window) {
  return {{"from_ms", ms(window.from)},
          {"leaderless_ms", ms(window.leaderless)},
          {"longest_leaderless_ms", ms(window.longest_leaderless)},
          {"leader_changes", window.leader_changes}};
}

// The window against its bounds; `what` names it in the summary ("over the run", ...).
void judge_window(const LeadershipWindow& window, const LeadershipBounds& bounds,
                  const std::string& what, Time end, std::vector<LivenessFailure>& failures) {
  if (bounds.leader_changes_max && window.leader_changes > *bounds.leader_changes_max) {
    const std::size_t over = *bounds.leader_changes_max;
    const Time at = over < window.change_times.size() ? window.change_times[over] : end;
    failures.push_back({at, std::to_string(window.leader_changes) + " stable-leader changes " +
                                what + " (bound " + std::to_string(over) + ")"});
  }
  if (bounds.leaderless_max && window.leaderless > *bounds.leaderless_max) {
    failures.push_back({end, ms_text(window.leaderless) + " without a stable leader " + what +
                                 " (bound " + ms_text(*bounds.leaderless_max) + ")"});
  }
}

}  // namespace

void judge_leadership(const RunEnd& run, CheckerFinding& liveness) {
  const LeadershipTracker& leadership = run.leadership;
  const Checks& checks = run.scenario.checks;
  const Time end = run.cluster.world().now();
  nlohmann::ordered_json details = window_json(leadership.run());
  details["first_leader_ms"] = leadership.first_leader_at()
                                   ? nlohmann::ordered_json(ms(*leadership.first_leader_at()))
                                   : nlohmann::ordered_json(nullptr);
  details["stable_leader_ms_max"] = leadership.bound() > 0
                                        ? nlohmann::ordered_json(ms(leadership.bound()))
                                        : nlohmann::ordered_json("off");
  details["longest_live_leaderless_ms"] = ms(leadership.longest_live_leaderless());

  std::vector<LivenessFailure> failures;
  if (const auto& breach = leadership.breach()) {
    failures.push_back({breach->at, "no stable leader for " + ms_text(breach->at - breach->from) +
                                        " from " + ms_text(breach->from) +
                                        " while a live majority was connected (bound " +
                                        ms_text(leadership.bound()) + ")"});
  }
  if (leadership.run().started) {
    judge_window(leadership.run(), checks.leadership, "over the run", end, failures);
  } else if (checks.leadership.any()) {
    failures.push_back({end, "no stable leader ever, so the run's leadership bounds fail"});
  }
  if (!checks.after_steps.empty()) {
    nlohmann::ordered_json steps = nlohmann::ordered_json::array();
    for (const StepLeadershipBounds& after : checks.after_steps) {
      const LeadershipWindow* window = leadership.window(after.step);
      nlohmann::ordered_json entry = {{"step", after.step}};
      if (window == nullptr) {
        entry["reached"] = false;  // the run ended (or stopped) before the step
      } else {
        entry.update(window_json(*window));
        judge_window(*window, after.bounds, "after step " + std::to_string(after.step), end,
                     failures);
      }
      steps.push_back(entry);
    }
    details["after_step"] = steps;
  }
  liveness.details["leadership"] = details;
  if (failures.empty()) return;
  const auto first = std::min_element(
      failures.begin(), failures.end(),
      [](const LivenessFailure& a, const LivenessFailure& b) { return a.at < b.at; });
  // The finding names the failure that became certain first.
  if (liveness.status == CheckStatus::fail && liveness.at <= first->at) return;
  liveness.status = CheckStatus::fail;
  liveness.summary = first->summary;
  liveness.at = first->at;
}

}  // namespace raftsim::sim
