// raftsim: coverage that steers -- moves the generator's profile weights (profile_weights.h)
// towards the profiles whose runs reach rare probes. The rule is a pure function: the weights of
// batch b (runs [b * kSteeringBatchRuns, (b + 1) * kSteeringBatchRuns)) depend only on the
// campaign seed and what the runs of batches before b did (their profiles and probe counts), so
// a steered campaign replays bit for bit. It needs every earlier run, so a sharded campaign
// cannot steer (tools/fuzz.cc refuses --steer with --shard).
//
// The rule, per profile p: a run's rarity score sums, over the probes it reached, kRarityScale
// divided by how many runs so far reached that probe (a probe 1 run in 1,000 reached is worth
// 1,000 times one every run reaches). p's weight is its default times the mean score of runs
// with p over the mean score of runs without, clamped to [default / 4, min(4 * default, 3/4)],
// and jittered by up to +-10% from the stream fuzz/steer/<b> of the campaign seed so weights
// keep exploring. A profile no earlier run had (or every run had) keeps its default.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <vector>

#include "raft/base/probe.h"
#include "sim/fuzz/generate.h"
#include "sim/fuzz/profile_weights.h"

namespace raftsim::sim {

inline constexpr std::uint64_t kSteeringBatchRuns = 100;  // weights change only between batches
inline constexpr std::uint64_t kRarityScale = std::uint64_t{1} << 20;

// What steering remembers of one run: which profiles it had (bit i: SteeredProfile i) and the
// probes it reached.
struct SteeringObservation {
  std::uint32_t profiles = 0;
  ProbeCounts probes;
};

// The profile bits of a run's profiles and perturbation flag.
std::uint32_t steered_profile_bits(const FuzzProfiles& profiles, bool perturb);

// Batch `batch`'s weights from the observations of all runs before it, in run-index order.
FuzzProfileWeights steer_weights(std::uint64_t campaign_seed, std::uint64_t batch,
                                 const std::vector<SteeringObservation>& earlier);

nlohmann::ordered_json weights_json(const FuzzProfileWeights& weights);  // name -> per mille

// The campaign loop's side of steering: weights for each run, observations after it.
class CampaignSteering {
 public:
  explicit CampaignSteering(std::uint64_t campaign_seed) : seed_(campaign_seed) {}
  // The weights run `run_index` is generated with (runs come in index order, one at a time).
  const FuzzProfileWeights& weights_for(std::uint64_t run_index);
  void observe(const FuzzRunSpec& spec, const Scenario& scenario, const ProbeCounts& probes);
  // The weights of every batch started so far, for the report.
  nlohmann::ordered_json to_json() const;
  std::vector<SteeringObservation>& observations() { return observations_; }

 private:
  std::uint64_t seed_;
  std::uint64_t batch_ = 0;
  FuzzProfileWeights weights_;
  std::vector<SteeringObservation> observations_;
  std::vector<FuzzProfileWeights> batches_{FuzzProfileWeights{}};
};

}  // namespace raftsim::sim
