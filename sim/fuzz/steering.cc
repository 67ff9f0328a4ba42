// raftsim: the steering rule (see steering.h). Integer arithmetic only, so the weights are the
// same on every machine.
#include "sim/fuzz/steering.h"

#include <algorithm>
#include <string>

#include "raft/base/check.h"

namespace raftsim::sim {
namespace {

constexpr std::uint64_t kWeightScale = 1'000'000;  // weights are computed in parts per million

std::uint64_t per_million(Ratio ratio) {
  return ratio.numerator * kWeightScale / ratio.denominator;
}

// Per probe: how many of the earlier runs reached it.
ProbeCounts runs_reaching(const std::vector<SteeringObservation>& earlier) {
  ProbeCounts runs;
  for (const SteeringObservation& run : earlier) {
    for (std::size_t i = 0; i < kProbeCount; ++i) runs.hits[i] += run.probes.hits[i] > 0 ? 1 : 0;
  }
  return runs;
}

std::uint64_t rarity_score(const ProbeCounts& run, const ProbeCounts& reaching) {
  std::uint64_t score = 0;
  for (std::size_t i = 0; i < kProbeCount; ++i) {
    if (run.hits[i] > 0) score += kRarityScale / reaching.hits[i];  // reaching >= 1: this run
  }
  return score;
}

}  // namespace

std::uint32_t steered_profile_bits(const FuzzProfiles& profiles, bool perturb) {
  const bool on[kSteeredProfileCount] = {
      profiles.racing_elections, profiles.leader_churn,  profiles.minority_leader,
      profiles.voter_crashes,    profiles.small_batches, profiles.figure_8,
      profiles.lease_reads,      profiles.membership,    perturb};
  std::uint32_t bits = 0;
  for (std::size_t i = 0; i < kSteeredProfileCount; ++i) bits |= on[i] ? 1U << i : 0U;
  return bits;
}

FuzzProfileWeights steer_weights(std::uint64_t campaign_seed, std::uint64_t batch,
                                 const std::vector<SteeringObservation>& earlier) {
  const FuzzProfileWeights defaults;
  FuzzProfileWeights weights;
  if (earlier.empty()) return weights;
  const ProbeCounts reaching = runs_reaching(earlier);
  std::vector<std::uint64_t> scores;
  scores.reserve(earlier.size());
  for (const SteeringObservation& run : earlier)
    scores.push_back(rarity_score(run.probes, reaching));
  Random jitter = Random::stream(campaign_seed, "fuzz/steer/" + std::to_string(batch));
  for (std::size_t p = 0; p < kSteeredProfileCount; ++p) {
    unsigned __int128 sum_on = 0, sum_off = 0;
    std::uint64_t runs_on = 0, runs_off = 0;
    for (std::size_t r = 0; r < earlier.size(); ++r) {
      const bool on = (earlier[r].profiles >> p) & 1U;
      (on ? sum_on : sum_off) += scores[r];
      ++(on ? runs_on : runs_off);
    }
    const std::int64_t wiggle = jitter.between(-100, 100);  // per mille; drawn for every profile
    if (runs_on == 0 || runs_off == 0 || sum_off == 0) continue;
    const std::uint64_t base = per_million(defaults.chance[p]);
    // base * (sum_on / runs_on) / (sum_off / runs_off), in 128 bits.
    unsigned __int128 target =
        static_cast<unsigned __int128>(base) * sum_on * runs_off / (sum_off * runs_on);
    target = target * static_cast<unsigned __int128>(1'000 + wiggle) / 1'000;
    const std::uint64_t low = base / 4;
    const std::uint64_t high = std::min<std::uint64_t>(4 * base, kWeightScale * 3 / 4);
    const std::uint64_t clamped =
        static_cast<std::uint64_t>(std::clamp<unsigned __int128>(target, low, high));
    weights.chance[p] = Ratio{clamped, kWeightScale};
  }
  return weights;
}

nlohmann::ordered_json weights_json(const FuzzProfileWeights& weights) {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  for (std::size_t p = 0; p < kSteeredProfileCount; ++p) {
    out[std::string(kSteeredProfileNames[p])] = per_million(weights.chance[p]) / 1'000;
  }
  return out;
}

const FuzzProfileWeights& CampaignSteering::weights_for(std::uint64_t run_index) {
  RAFTSIM_CHECK_MSG(run_index == observations_.size(), "steered runs come in index order");
  const std::uint64_t batch = run_index / kSteeringBatchRuns;
  if (batch != batch_) {
    batch_ = batch;
    weights_ = steer_weights(seed_, batch, observations_);
    batches_.push_back(weights_);
  }
  return weights_;
}

void CampaignSteering::observe(const FuzzRunSpec& spec, const Scenario& scenario,
                               const ProbeCounts& probes) {
  const std::uint64_t run_seed = fuzz_run_seed(spec.campaign_seed, spec.run_index);
  const FuzzProfiles profiles = draw_fuzz_profiles(run_seed, weights_);
  observations_.push_back({steered_profile_bits(profiles, scenario.cluster.perturb), probes});
}

nlohmann::ordered_json CampaignSteering::to_json() const {
  nlohmann::ordered_json batches = nlohmann::ordered_json::array();
  for (std::size_t b = 0; b < batches_.size(); ++b) {
    batches.push_back(
        {{"first_run", b * kSteeringBatchRuns}, {"weights_per_mille", weights_json(batches_[b])}});
  }
  return {{"batch_runs", kSteeringBatchRuns}, {"batches", batches}};
}

}  // namespace raftsim::sim
