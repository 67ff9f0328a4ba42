// raftsim: the segmented WAL: append path, sync, rewrite, and crash recovery (WalRecoverer).
// Recovery is read-only until it has decided what the live log is; only then does it repair, in
// an order where a crash during the repair leads the next recovery to the same decision.
#include "raft/storage/wal.h"

#include <optional>

#include "raft/base/probe.h"
#include "raft/storage/wal_format.h"

namespace raftsim {

using wal_format::SegmentHeader;
using wal_limits::kRecordHeaderBytes;
using wal_limits::kSegmentHeaderBytes;

Status WalOptions::validate() const {
  if (prefix.empty() || prefix.size() > wal_limits::kPrefixBytesMax) {
    return Status(
        StatusCode::invalid_argument,
        "WAL prefix must hold 1 to " + std::to_string(wal_limits::kPrefixBytesMax) + " bytes");
  }
  if (segment_bytes_max < wal_limits::kSegmentBytesMaxFloor ||
      segment_bytes_max > wal_limits::kSegmentBytesMaxCeiling) {
    return Status(StatusCode::invalid_argument,
                  "segment_bytes_max " + std::to_string(segment_bytes_max) + " outside [" +
                      std::to_string(wal_limits::kSegmentBytesMaxFloor) + ", " +
                      std::to_string(wal_limits::kSegmentBytesMaxCeiling) + "]");
  }
  return Status();
}

std::string Wal::segment_name(std::string_view prefix, std::uint64_t sequence) {
  return wal_format::segment_name(prefix, sequence);
}

Wal::Wal(FileSystem& file_system, const WalOptions& options)
    : file_system_(file_system), options_(options) {}

std::string Wal::name_of(const Segment& segment) const {
  return segment_name(options_.prefix, segment.sequence);
}

const std::string& Wal::cached_name_of(const Segment& segment) const {
  if (cached_name_sequence_ != segment.sequence) {
    cached_name_ = name_of(segment);
    cached_name_sequence_ = segment.sequence;
  }
  return cached_name_;
}

std::uint64_t Wal::size_bytes() const {
  std::uint64_t total = 0;
  for (const Segment& segment : segments_) total += segment.size_bytes;
  return total;
}

Status Wal::refuse_if_failed() const {
  if (failure_.ok()) return Status();
  return Status(StatusCode::unavailable,
                "WAL refuses calls after: " + failure_.to_string() + " (reopen it to recover)");
}

void Wal::check_invariants() const {
  RAFTSIM_CHECK_MSG(!segments_.empty(), "an open WAL always has a segment to append to");
  std::uint64_t records = 0;
  for (std::size_t i = 0; i < segments_.size(); ++i) {
    const Segment& segment = segments_[i];
    RAFTSIM_CHECK(segment.size_bytes >= kSegmentHeaderBytes);
    RAFTSIM_CHECK_MSG(i == 0 || segment.sequence == segments_[i - 1].sequence + 1,
                      "live segments are numbered without gaps");
    RAFTSIM_CHECK_MSG(i + 1 == segments_.size() || segment.synced,
                      "every segment but the last is sealed");
    records += segment.record_count;
  }
  RAFTSIM_CHECK(records == record_count_);
}

Status Wal::append(std::span<const std::uint8_t> record) {
  if (Status refused = refuse_if_failed(); !refused.ok()) return refused;
  if (record.size() > wal_limits::kRecordBytesMax) {
    return Status(StatusCode::invalid_argument, "WAL record of " + std::to_string(record.size()) +
                                                    " bytes exceeds " +
                                                    std::to_string(wal_limits::kRecordBytesMax));
  }
  const std::uint64_t frame_bytes = kRecordHeaderBytes + record.size();
  if (segments_.back().record_count > 0 &&
      segments_.back().size_bytes + frame_bytes > options_.segment_bytes_max) {
    if (Status rolled = roll_segment(); !rolled.ok()) return rolled;
  }
  Segment& last = segments_.back();
  const std::string& name = cached_name_of(last);
  frame_.clear();
  frame_.reserve(frame_bytes);
  wal_format::append_record_frame(frame_, record);
  if (Status appended = file_system_.append(name, frame_); !appended.ok()) {
    // The contract says a failed write changes nothing, but a partial frame would poison every
    // later record, so make sure: cut the file back to where the record began.
    const Result<std::uint64_t> size = file_system_.size(name);
    Status repaired = size.status();
    if (size.ok() && size.value() != last.size_bytes) {
      repaired = file_system_.truncate(name, last.size_bytes);
    }
    if (!repaired.ok()) failure_ = repaired;
    return appended;
  }
  last.size_bytes += frame_bytes;
  last.record_count += 1;
  last.synced = false;
  record_count_ += 1;
  bytes_written_ += frame_bytes;
  const Result<std::uint64_t> size = file_system_.size(name);
  RAFTSIM_CHECK_MSG(!size.ok() || size.value() == last.size_bytes,
                    "the segment file holds exactly the bytes the WAL wrote");
  return Status();
}

Status Wal::roll_segment() {
  if (segments_.size() >= wal_limits::kSegmentsMax) {
    return Status(StatusCode::no_space, "WAL holds the maximum of " +
                                            std::to_string(wal_limits::kSegmentsMax) +
                                            " segments; compact it with rewrite()");
  }
  RAFTSIM_PROBE(storage_segment_rolled);
  // Seal the segment being left: once a later segment exists, recovery treats a damaged record
  // in this one as corruption rather than a torn tail, so it must be durable first.
  Segment& sealed = segments_.back();
  if (!sealed.synced) {
    if (Status synced = file_system_.sync(name_of(sealed)); !synced.ok()) return synced;
    sealed.synced = true;
  }
  Segment next{.sequence = sealed.sequence + 1, .size_bytes = kSegmentHeaderBytes};
  const std::string name = name_of(next);
  if (Status created = file_system_.create(name); !created.ok()) return created;
  const auto header = wal_format::encode_header(SegmentHeader{.sequence = next.sequence});
  if (Status appended = file_system_.append(name, header); !appended.ok()) {
    if (Status removed = file_system_.remove(name); !removed.ok()) failure_ = removed;
    return appended;
  }
  bytes_written_ += header.size();
  file_system_.preallocate(name, options_.segment_bytes_max);
  segments_.push_back(next);
  return Status();
}

Status Wal::sync() {
  if (Status refused = refuse_if_failed(); !refused.ok()) return refused;
  // Only a suffix can be unsynced (rollover seals what it leaves): find it, sync oldest first.
  std::size_t first = segments_.size();
  while (first > 0 && !segments_[first - 1].synced) --first;
  for (std::size_t index = first; index < segments_.size(); ++index) {
    Segment& segment = segments_[index];
    if (Status synced = file_system_.sync(cached_name_of(segment)); !synced.ok()) return synced;
    segment.synced = true;
  }
  return Status();
}

Status Wal::rewrite(std::span<const std::vector<std::uint8_t>> records) {
  if (Status refused = refuse_if_failed(); !refused.ok()) return refused;
  for (const auto& record : records) {
    if (record.size() > wal_limits::kRecordBytesMax) {
      return Status(StatusCode::invalid_argument,
                    "rewrite record of " + std::to_string(record.size()) + " bytes exceeds " +
                        std::to_string(wal_limits::kRecordBytesMax));
    }
  }
  // Seal the old log first: it must stand until the new set is complete, and recovery allows a
  // torn tail only in the newest file, which from here on is one of the new set's.
  if (Status synced = sync(); !synced.ok()) return synced;
  std::vector<Segment> written;
  if (Status status = write_segment_set(records, written); !status.ok()) {
    // Not yet durable as a whole, so the old log still stands; take the new set away again.
    if (Status removed = remove_segments_newest_first(written); !removed.ok()) {
      failure_ = removed;
    }
    return status;
  }
  // Commit point passed: the new set is durable and complete, recovery now prefers it.
  std::vector<Segment> old = std::move(segments_);
  segments_ = std::move(written);
  record_count_ = records.size();
  check_invariants();
  // Oldest first, so a crash part-way leaves a gap-free run of superseded segments.
  for (const Segment& segment : old) {
    if (Status removed = file_system_.remove(name_of(segment)); !removed.ok()) {
      failure_ = removed;
      return removed;
    }
  }
  return Status();
}

// Lays `records` out as a base segment and its continuations after the current last segment;
// each is synced before the next is created, so a crash can only tear the last one written.
Status Wal::write_segment_set(std::span<const std::vector<std::uint8_t>> records,
                              std::vector<Segment>& written) {
  std::uint64_t sequence = segments_.back().sequence + 1;
  Segment segment{.sequence = sequence};
  std::vector<std::uint8_t> image = wal_format::encode_header(SegmentHeader{
      .flags = wal_format::kFlagBase, .sequence = sequence, .base_record_count = records.size()});
  auto flush = [&]() -> Status {
    if (written.size() >= wal_limits::kSegmentsMax) {
      return Status(StatusCode::no_space, "rewrite needs more than the maximum segments");
    }
    const std::string name = name_of(segment);
    if (Status created = file_system_.create(name); !created.ok()) return created;
    segment.size_bytes = image.size();
    written.push_back(segment);  // from here on a failure must remove this file too
    if (Status appended = file_system_.append(name, image); !appended.ok()) return appended;
    bytes_written_ += image.size();
    if (Status synced = file_system_.sync(name); !synced.ok()) return synced;
    written.back().synced = true;
    return Status();
  };
  for (const auto& record : records) {
    const std::uint64_t frame_bytes = kRecordHeaderBytes + record.size();
    if (segment.record_count > 0 && image.size() + frame_bytes > options_.segment_bytes_max) {
      if (Status flushed = flush(); !flushed.ok()) return flushed;
      segment = Segment{.sequence = ++sequence};
      image = wal_format::encode_header(SegmentHeader{.sequence = sequence});
    }
    wal_format::append_record_frame(image, record);
    segment.record_count += 1;
  }
  return flush();
}

Status Wal::remove_segments_newest_first(const std::vector<Segment>& segments) {
  for (auto it = segments.rbegin(); it != segments.rend(); ++it) {
    if (Status removed = file_system_.remove(name_of(*it)); !removed.ok()) return removed;
  }
  return Status();
}

}  // namespace raftsim
