// raftsim: job-queue snapshots -- full, hot (live jobs, keys, counters) and cold (compacted final
// jobs) -- and their restore, which validates every field before it touches the machine.
// section := magic:u32 version:u8 body_size:u64 body digest:u64 (Hasher over the bytes before it)
// hot body  := config(4 x u64) now_ns last_applied next_job_id counters(6 x u64)
//              cold_count cold_digest live_count {live job} key_count {key:string job_id expires}
//   live job := id:u64 state:u8 priority:u8 attempt:u32 max_attempts:u32 enqueued_ns
//               available_ns lease_expires_ns worker_id payload:string
// cold body := last_applied count {id:u64 state:u8 priority:u8 attempt:u32 max_attempts:u32
//              enqueued_ns finished_ns}
#include <algorithm>
#include <string>
#include <utility>

#include "jobqueue/queue/job_fields.h"
#include "jobqueue/queue/job_queue.h"
#include "jobqueue/queue/wire_strings.h"
#include "raft/base/byte_codec.h"
#include "raft/base/hash.h"

namespace raftsim::queue {
namespace {

constexpr std::uint32_t kHotMagic = 0x54484a51;   // "QJHT" little-endian
constexpr std::uint32_t kColdMagic = 0x4c434a51;  // "QJCL" little-endian
constexpr std::uint8_t kSnapshotVersion = 1;
constexpr std::size_t kSectionHeaderBytes = 4 + 1 + 8;
constexpr std::size_t kSectionDigestBytes = 8;

void write_section(std::vector<std::uint8_t>& out, std::uint32_t magic,
                   const std::vector<std::uint8_t>& body) {
  const std::size_t start = out.size();
  put_u32(out, magic);
  put_u8(out, kSnapshotVersion);
  put_u64(out, body.size());
  out.insert(out.end(), body.begin(), body.end());
  const std::span<const std::uint8_t> covered(out.data() + start, out.size() - start);
  put_u64(out, Hasher().add_bytes(covered).value());
}

Status corrupt(const char* section, const std::string& what, std::size_t offset) {
  return Status(StatusCode::corruption,
                std::string(section) + " snapshot: " + what + " at byte " + std::to_string(offset));
}

// Reads the section starting at `offset` and moves `offset` past it.
Result<std::span<const std::uint8_t>> read_section(std::span<const std::uint8_t> bytes,
                                                   std::size_t& offset, std::uint32_t magic,
                                                   const char* name) {
  if (bytes.size() - offset < kSectionHeaderBytes + kSectionDigestBytes) {
    return corrupt(name, "truncated section header", offset);
  }
  ByteReader header(bytes.subspan(offset, kSectionHeaderBytes));
  std::uint32_t found_magic = 0;
  std::uint8_t version = 0;
  std::uint64_t body_size = 0;
  RAFTSIM_CHECK(header.read_u32(found_magic) && header.read_u8(version) &&
                header.read_u64(body_size));
  if (found_magic != magic) return corrupt(name, "wrong magic", offset);
  if (version != kSnapshotVersion) return corrupt(name, "unknown version", offset + 4);
  const std::size_t room = bytes.size() - offset - kSectionHeaderBytes - kSectionDigestBytes;
  if (body_size > room) return corrupt(name, "body runs past the end", offset + 5);
  const std::size_t covered = kSectionHeaderBytes + static_cast<std::size_t>(body_size);
  ByteReader digest_reader(bytes.subspan(offset + covered, kSectionDigestBytes));
  std::uint64_t digest = 0;
  RAFTSIM_CHECK(digest_reader.read_u64(digest));
  if (digest != Hasher().add_bytes(bytes.subspan(offset, covered)).value()) {
    return corrupt(name, "digest mismatch", offset + covered);
  }
  const auto body = bytes.subspan(offset + kSectionHeaderBytes, body_size);
  offset += covered + kSectionDigestBytes;
  return body;
}

}  // namespace

std::vector<std::uint8_t> JobQueue::snapshot_hot() const {
  RAFTSIM_CHECK_MSG(cold_loaded(), "snapshot needs the cold part loaded");
  std::vector<std::uint8_t> body;
  write_hot_body(body);
  std::vector<std::uint8_t> out;
  write_section(out, kHotMagic, body);
  return out;
}

std::vector<std::uint8_t> JobQueue::snapshot_cold() const {
  RAFTSIM_CHECK_MSG(cold_loaded(), "snapshot needs the cold part loaded");
  std::vector<std::uint8_t> body;
  write_cold_body(body);
  std::vector<std::uint8_t> out;
  write_section(out, kColdMagic, body);
  return out;
}

void JobQueue::snapshot_into(std::vector<std::uint8_t>& out) const {
  const std::vector<std::uint8_t> full = snapshot_full();
  out.insert(out.end(), full.begin(), full.end());
}

std::vector<std::uint8_t> JobQueue::snapshot_full() const {
  std::vector<std::uint8_t> out = snapshot_hot();
  const std::vector<std::uint8_t> cold = snapshot_cold();
  out.insert(out.end(), cold.begin(), cold.end());
  return out;
}

void JobQueue::write_hot_body(std::vector<std::uint8_t>& out) const {
  for (std::uint64_t value :
       {config_.jobs_max, config_.idempotency_window_ns, config_.backoff_base_ns,
        config_.backoff_max_ns, now_ns_, last_applied_, next_job_id_, counters_.leases,
        counters_.lease_expiries, counters_.failures, counters_.completions, counters_.dead,
        counters_.cancelled, archived_total(), archived_digest_sum_, std::uint64_t{live_.size()}}) {
    put_u64(out, value);
  }
  for (const auto& [job_id, job] : live_) {
    put_job_fields(out, job_id, job);
    put_u64(out, job.available_ns);
    put_u64(out, job.lease_expires_ns);
    put_u64(out, job.worker_id);
    put_string(out, job.payload);
  }
  if (bugs_.has(QueueBug::partial_snapshot_drops_keys)) {
    put_u64(out, 0);
    return;
  }
  put_u64(out, keys_.size());
  for (const auto& [key, entry] : keys_) {
    put_string(out, key);
    put_u64(out, entry.job_id);
    put_u64(out, entry.expires_ns);
  }
}

void JobQueue::write_cold_body(std::vector<std::uint8_t>& out) const {
  put_u64(out, last_applied_);
  put_u64(out, archived_.size());
  for (const auto& [job_id, job] : archived_) {
    put_job_fields(out, job_id, job);
    put_u64(out, job.finished_ns);
  }
}

Status JobQueue::restore(std::span<const std::uint8_t> full) {
  std::size_t offset = 0;
  auto hot = read_section(full, offset, kHotMagic, "hot");
  if (!hot.ok()) return hot.status();
  auto cold = read_section(full, offset, kColdMagic, "cold");
  if (!cold.ok()) return cold.status();
  if (offset != full.size()) return corrupt("full", "trailing bytes", offset);
  JobQueue fresh(config_, bugs_);  // a restored replica keeps its injected bugs
  if (Status status = fresh.load_hot(hot.value()); !status.ok()) return status;
  if (Status status = fresh.load_cold(cold.value()); !status.ok()) return status;
  *this = std::move(fresh);
  return Status::ok_status();
}

Status JobQueue::restore(std::span<const std::uint8_t> hot, std::span<const std::uint8_t> cold) {
  JobQueue fresh(config_, bugs_);  // a restored replica keeps its injected bugs
  if (Status status = fresh.restore_hot(hot); !status.ok()) return status;
  if (Status status = fresh.restore_cold(cold); !status.ok()) return status;
  *this = std::move(fresh);
  return Status::ok_status();
}

Status JobQueue::restore_hot(std::span<const std::uint8_t> hot) {
  std::size_t offset = 0;
  auto body = read_section(hot, offset, kHotMagic, "hot");
  if (!body.ok()) return body.status();
  if (offset != hot.size()) return corrupt("hot", "trailing bytes", offset);
  JobQueue fresh(config_, bugs_);  // a restored replica keeps its injected bugs
  if (Status status = fresh.load_hot(body.value()); !status.ok()) return status;
  *this = std::move(fresh);
  return Status::ok_status();
}

Status JobQueue::restore_cold(std::span<const std::uint8_t> cold) {
  if (!cold_pending_.waiting) {
    return Status(StatusCode::invalid_argument, "no hot snapshot is waiting for a cold part");
  }
  std::size_t offset = 0;
  auto body = read_section(cold, offset, kColdMagic, "cold");
  if (!body.ok()) return body.status();
  if (offset != cold.size()) return corrupt("cold", "trailing bytes", offset);
  return load_cold(body.value());
}

// Loads into a freshly constructed machine; the caller discards it on error.
Status JobQueue::load_hot(std::span<const std::uint8_t> body) {
  ByteReader reader(body);
  const auto bad = [&](const std::string& what) { return corrupt("hot", what, reader.offset()); };
  std::uint64_t fields[16] = {};
  for (std::uint64_t& field : fields) {
    if (!reader.read_u64(field)) return bad("truncated header");
  }
  const Config config{fields[0], fields[1], fields[2], fields[3]};
  if (config != config_) {
    return Status(StatusCode::invalid_argument, "hot snapshot: taken with another Config");
  }
  now_ns_ = fields[4];
  last_applied_ = fields[5];
  next_job_id_ = fields[6];
  counters_ = Counters{fields[7], fields[8], fields[9], fields[10], fields[11], fields[12]};
  const std::uint64_t cold_count = fields[13];
  const std::uint64_t cold_digest = fields[14];
  const std::uint64_t live_count = fields[15];
  if (now_ns_ > kTimeNsMax) return bad("time beyond the ceiling");
  if (next_job_id_ < 1 || next_job_id_ - 1 > config_.jobs_max) return bad("next_job_id");
  if (cold_count > next_job_id_ - 1 || live_count != next_job_id_ - 1 - cold_count) {
    return bad("job counts do not cover the ids");
  }
  if (counters_.completions + counters_.dead + counters_.cancelled != cold_count) {
    return bad("final-job counters do not match the cold count");
  }
  if (Status status = load_live_jobs(reader, live_count); !status.ok()) return status;
  if (Status status = load_keys(reader); !status.ok()) return status;
  if (reader.remaining() != 0) return bad("trailing bytes");
  archived_digest_sum_ = cold_digest;
  cold_pending_ =
      ColdPending{true, cold_count, cold_digest, next_job_id_, last_applied_, counters_};
  return Status::ok_status();
}

Status JobQueue::load_live_jobs(ByteReader& reader, std::uint64_t live_count) {
  const auto bad = [&](const std::string& what) { return corrupt("hot", what, reader.offset()); };
  JobId previous = 0;
  for (std::uint64_t i = 0; i < live_count; ++i) {
    JobId job_id = 0;
    LiveJob job;
    if (!read_job_fields(reader, job_id, job) || !reader.read_u64(job.available_ns) ||
        !reader.read_u64(job.lease_expires_ns) || !reader.read_u64(job.worker_id) ||
        !read_string(reader, job.payload, kPayloadBytesMax)) {
      return bad("truncated live job");
    }
    if (job_id <= previous || job_id >= next_job_id_) return bad("live job id out of order");
    previous = job_id;
    if (job.max_attempts < 1 || job.max_attempts > kAttemptsMax || job.enqueued_ns > now_ns_) {
      return bad("live job fields out of range");
    }
    if (job.state == JobState::pending) {
      if (job.attempt >= job.max_attempts || job.lease_expires_ns != 0 || job.worker_id != 0) {
        return bad("pending job fields inconsistent");
      }
      index_pending(job_id, job);
    } else if (job.state == JobState::leased) {
      if (job.attempt < 1 || job.attempt > job.max_attempts || job.lease_expires_ns <= now_ns_) {
        return bad("leased job fields inconsistent");
      }
      leases_.insert({job.lease_expires_ns, job_id});
    } else {
      return bad("final job in the hot section");
    }
    live_.emplace(job_id, std::move(job));
  }
  return Status::ok_status();
}

Status JobQueue::load_keys(ByteReader& reader) {
  const auto bad = [&](const std::string& what) { return corrupt("hot", what, reader.offset()); };
  std::uint64_t key_count = 0;
  if (!reader.read_u64(key_count)) return bad("truncated key count");
  for (std::uint64_t i = 0; i < key_count; ++i) {
    std::string key;
    KeyEntry entry;
    if (!read_string(reader, key, kIdempotencyKeyBytesMax) || !reader.read_u64(entry.job_id) ||
        !reader.read_u64(entry.expires_ns)) {
      return bad("truncated idempotency key");
    }
    if (key.empty() || (!keys_.empty() && key <= keys_.rbegin()->first)) {
      return bad("idempotency keys out of order");
    }
    if (entry.job_id < 1 || entry.job_id >= next_job_id_ || entry.expires_ns <= now_ns_ ||
        entry.expires_ns - now_ns_ > config_.idempotency_window_ns) {
      return bad("idempotency key fields out of range");
    }
    key_expiry_.insert({entry.expires_ns, key});
    keys_.emplace(std::move(key), entry);
  }
  return Status::ok_status();
}

// Merges a cold section into a machine waiting for it. Parses and checks everything first, so a
// refused section leaves the machine as it was (still waiting).
Status JobQueue::load_cold(std::span<const std::uint8_t> body) {
  RAFTSIM_CHECK(cold_pending_.waiting);
  ByteReader reader(body);
  const auto bad = [&](const std::string& what) { return corrupt("cold", what, reader.offset()); };
  std::uint64_t last_applied = 0;
  std::uint64_t count = 0;
  if (!reader.read_u64(last_applied) || !reader.read_u64(count)) return bad("truncated header");
  if (last_applied != cold_pending_.last_applied || count != cold_pending_.count) {
    return Status(StatusCode::invalid_argument,
                  "cold snapshot: does not belong to the hot snapshot (index or count differs)");
  }
  constexpr std::size_t kRecordBytes = 8 + 1 + 1 + 4 + 4 + 8 + 8;
  if (count > reader.remaining() / kRecordBytes) return bad("record count past the end");
  std::vector<std::pair<JobId, ArchivedJob>> records;
  records.reserve(static_cast<std::size_t>(count));
  std::uint64_t digest_sum = 0;
  Counters finals;
  JobId previous = 0;
  for (std::uint64_t i = 0; i < count; ++i) {
    JobId job_id = 0;
    ArchivedJob job;
    if (!read_job_fields(reader, job_id, job) || !reader.read_u64(job.finished_ns)) {
      return bad("truncated record");
    }
    if (job_id <= previous || job_id >= cold_pending_.id_limit || live_.contains(job_id) ||
        archived_.contains(job_id)) {
      return bad("archived job id out of order or already present");
    }
    previous = job_id;
    if (!is_final(job.state) || job.max_attempts < 1 || job.max_attempts > kAttemptsMax ||
        job.attempt > job.max_attempts || (job.state == JobState::completed && job.attempt < 1) ||
        job.finished_ns < job.enqueued_ns) {
      return bad("archived job fields out of range");
    }
    digest_sum += archived_digest(job_id, job);
    finals.completions += job.state == JobState::completed ? 1 : 0;
    finals.dead += job.state == JobState::dead ? 1 : 0;
    finals.cancelled += job.state == JobState::cancelled ? 1 : 0;
    records.emplace_back(job_id, job);
  }
  if (reader.remaining() != 0) return bad("trailing bytes");
  const Counters& expected = cold_pending_.counters;
  if (finals.completions != expected.completions || finals.dead != expected.dead ||
      finals.cancelled != expected.cancelled) {
    return bad("final states do not match the hot snapshot's counters");
  }
  if (digest_sum != cold_pending_.digest) {
    return Status(StatusCode::invalid_argument,
                  "cold snapshot: does not belong to the hot snapshot (digest differs)");
  }
  for (auto& [job_id, job] : records) archived_.emplace_hint(archived_.end(), job_id, job);
  cold_pending_ = ColdPending{};
  return Status::ok_status();
}

}  // namespace raftsim::queue
