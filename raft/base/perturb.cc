// raftsim: a run's perturbation plan (see perturb.h).
#include "raft/base/perturb.h"

namespace raftsim {
namespace {

constexpr std::array<std::string_view, kPerturbPointCount> kNames = {{
#define RAFTSIM_PERTURB_NAME(name, ppm, what) #name,
    RAFTSIM_PERTURB_POINTS(RAFTSIM_PERTURB_NAME)
#undef RAFTSIM_PERTURB_NAME
}};

constexpr std::array<std::uint32_t, kPerturbPointCount> kFiringMax = {{
#define RAFTSIM_PERTURB_MAX(name, ppm, what) ppm,
    RAFTSIM_PERTURB_POINTS(RAFTSIM_PERTURB_MAX)
#undef RAFTSIM_PERTURB_MAX
}};

}  // namespace

std::string_view perturb_point_name(PerturbPoint point) {
  return kNames[static_cast<std::size_t>(point)];
}

Perturbation Perturbation::for_run(std::uint64_t run_seed) {
  Perturbation plan;
  plan.state_ = mix64(run_seed ^ 0xb0991f7b0991f7ULL);
  for (std::size_t i = 0; i < kPerturbPointCount; ++i) {
    if (plan.draw(kPartsPerMillion) >= kEnabledPerMillion) continue;
    plan.enabled_ |= 1U << i;
    // Anywhere from a tenth of the maximum to the maximum: some runs barely perturb, some a lot.
    const std::uint64_t floor = kFiringMax[i] / 10;
    plan.firing_[i] = static_cast<std::uint32_t>(floor + plan.draw(kFiringMax[i] - floor + 1));
  }
  return plan;
}

Perturbation Perturbation::every_point(std::uint32_t firing_per_million, std::uint64_t seed) {
  Perturbation plan;
  plan.state_ = mix64(seed);
  for (std::size_t i = 0; i < kPerturbPointCount; ++i) {
    plan.enabled_ |= 1U << i;
    plan.firing_[i] = firing_per_million;
  }
  return plan;
}

Perturbation Perturbation::reseeded(std::uint64_t owner_seed) const {
  Perturbation copy = *this;
  copy.state_ = mix64(state_ ^ mix64(owner_seed));
  return copy;
}

}  // namespace raftsim
