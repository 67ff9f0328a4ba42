// raftsim job queue: the fields every job record starts with, written, read, hashed and copied
// in one place. Replies (JobView), hot snapshots (live jobs) and cold snapshots (archived jobs)
// all begin a job with
//   job_id:u64 state:u8 priority:u8 attempt:u32 max_attempts:u32 enqueued_ns:u64
// and add their own fields after it. `Job` is any record with those members (state, priority,
// attempt, max_attempts, enqueued_ns); the id is passed apart because only JobView holds it.
#pragma once

#include <cstdint>
#include <vector>

#include "jobqueue/queue/codec.h"
#include "raft/base/byte_codec.h"
#include "raft/base/hash.h"

namespace raftsim::queue {

template <typename Job>
void put_job_fields(std::vector<std::uint8_t>& out, JobId job_id, const Job& job) {
  put_u64(out, job_id);
  put_u8(out, static_cast<std::uint8_t>(job.state));
  put_u8(out, job.priority);
  put_u32(out, job.attempt);
  put_u32(out, job.max_attempts);
  put_u64(out, job.enqueued_ns);
}

// False when the bytes run out or the state byte names no JobState.
template <typename Job>
bool read_job_fields(ByteReader& reader, JobId& job_id, Job& job) {
  std::uint8_t state = 0;
  if (!reader.read_u64(job_id) || !reader.read_u8(state) ||
      state > static_cast<std::uint8_t>(JobState::cancelled) || !reader.read_u8(job.priority) ||
      !reader.read_u32(job.attempt) || !reader.read_u32(job.max_attempts) ||
      !reader.read_u64(job.enqueued_ns)) {
    return false;
  }
  job.state = static_cast<JobState>(state);
  return true;
}

template <typename Job>
Hasher& hash_job_fields(Hasher& hasher, JobId job_id, const Job& job) {
  return hasher.add(job_id)
      .add(static_cast<std::uint64_t>(job.state))
      .add(job.priority)
      .add(job.attempt)
      .add(job.max_attempts)
      .add(job.enqueued_ns);
}

// A view with the shared fields filled in; the caller adds what its state says.
template <typename Job>
JobView view_job_fields(JobId job_id, const Job& job) {
  JobView view;
  view.job_id = job_id;
  view.state = job.state;
  view.priority = job.priority;
  view.attempt = job.attempt;
  view.max_attempts = job.max_attempts;
  view.enqueued_ns = job.enqueued_ns;
  return view;
}

}  // namespace raftsim::queue
