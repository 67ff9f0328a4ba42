// raftsim: WAL recovery. Reads every segment of the prefix, decides which segments form the live
// log (the newest base segment whose declared records are all readable; an incomplete newer set
// is a rewrite that never committed), and only then repairs: removes abandoned segments newest
// first, superseded ones oldest first, cuts a torn tail and syncs. Each repair step leaves files
// from which the next recovery reaches the same decision, so a crash during recovery is harmless.
#include <optional>

#include "raft/base/probe.h"
#include "raft/storage/wal.h"
#include "raft/storage/wal_format.h"

namespace raftsim {

using wal_format::corruption;
using wal_format::SegmentHeader;
using wal_limits::kRecordHeaderBytes;
using wal_limits::kSegmentHeaderBytes;

class WalRecoverer {
 public:
  WalRecoverer(FileSystem& file_system, const WalOptions& options, WalRecovery& report)
      : file_system_(file_system), options_(options), report_(report) {}

  Result<std::unique_ptr<Wal>> run();

 private:
  struct Found {
    std::string name;
    std::uint64_t sequence = 0;
    std::uint64_t size_bytes = 0;
    std::optional<SegmentHeader> header =
        std::nullopt;  // nullopt: shorter than a header (a torn last segment)
  };
  // The records of segments [first, end), and where the last one tears, if it does.
  struct Scan {
    std::vector<std::vector<std::uint8_t>> records;
    std::vector<std::uint64_t> segment_record_counts;
    std::vector<std::uint64_t> segment_valid_bytes;
    std::uint64_t torn_bytes = 0;
    Status error;  // corruption (or a read error) that stopped the scan
  };
  // Whether a scan holds every record its base declares. If not, `incomplete` is set when the
  // set merely falls short (a rewrite that never committed, if an older log exists) and clear
  // when the damage lies beyond the declared records or reading failed.
  struct Completeness {
    bool incomplete = false;
    Status status;
  };

  Status find_segments();
  Status read_headers();
  std::optional<std::size_t> newest_base_before(std::size_t end) const;
  Scan scan_range(std::size_t first, std::size_t end, bool end_is_last);
  Status scan_segment(const Found& found, bool is_last, Scan& scan);
  Completeness check_complete(const Scan& scan, std::size_t base) const;
  Status remove_found(std::size_t index);
  Result<std::unique_ptr<Wal>> start_fresh();
  Result<std::unique_ptr<Wal>> finish(std::size_t base, std::size_t end, Scan& scan);

  FileSystem& file_system_;
  const WalOptions& options_;
  WalRecovery& report_;
  std::vector<Found> found_;  // every segment file of the prefix, by sequence
};

Result<std::unique_ptr<Wal>> Wal::open(FileSystem& file_system, const WalOptions& options,
                                       WalRecovery* recovered) {
  if (Status valid = options.validate(); !valid.ok()) return valid;
  WalRecovery scratch;
  WalRecovery& report = recovered != nullptr ? *recovered : scratch;
  report = WalRecovery{};
  return WalRecoverer(file_system, options, report).run();
}

Result<std::unique_ptr<Wal>> WalRecoverer::run() {
  if (Status status = find_segments(); !status.ok()) return status;
  if (found_.empty()) return start_fresh();
  if (Status status = read_headers(); !status.ok()) return status;
  const bool short_tail = !found_.back().header.has_value();
  const std::size_t headed = found_.size() - (short_tail ? 1 : 0);
  std::optional<std::size_t> base = newest_base_before(headed);
  if (!base) {
    if (headed > 0) {
      return corruption(found_[0].name, 0,
                        "no base segment: the segments that start the log are missing");
    }
    // The only file is a first segment whose header never reached the disk.
    report_.torn_bytes_dropped += found_[0].size_bytes;
    if (Status removed = remove_found(0); !removed.ok()) return removed;
    found_.clear();
    return start_fresh();
  }
  Scan scan = scan_range(*base, headed, !short_tail);
  std::size_t end = found_.size();
  if (const Completeness completeness = check_complete(scan, *base); !completeness.status.ok()) {
    // An incomplete base set is a rewrite that crashed before its commit point, or, if no older
    // log is left to fall back to, damage to one that committed: then it is reported.
    const std::optional<std::size_t> older = newest_base_before(*base);
    if (!completeness.incomplete || !older) return completeness.status;
    for (std::size_t index = end; index-- > *base;) {
      if (Status removed = remove_found(index); !removed.ok()) return removed;
    }
    end = *base;
    base = older;
    scan = scan_range(*base, end, true);
    if (Completeness fallback = check_complete(scan, *base); !fallback.status.ok()) {
      return fallback.status;
    }
  } else if (short_tail) {
    report_.torn_bytes_dropped += found_.back().size_bytes;
    if (Status removed = remove_found(found_.size() - 1); !removed.ok()) return removed;
    end -= 1;
  }
  return finish(*base, end, scan);
}

WalRecoverer::Completeness WalRecoverer::check_complete(const Scan& scan, std::size_t base) const {
  const std::uint64_t declared = found_[base].header->base_record_count;
  if (scan.records.size() >= declared) return Completeness{.status = scan.error};
  if (!scan.error.ok() && scan.error.code() != StatusCode::corruption) {
    return Completeness{.status = scan.error};
  }
  std::string why = "base segment declares " + std::to_string(declared) + " records but only " +
                    std::to_string(scan.records.size()) + " are readable";
  if (!scan.error.ok()) why += " (" + scan.error.message() + ")";
  return Completeness{.incomplete = true, .status = corruption(found_[base].name, 0, why)};
}

Status WalRecoverer::find_segments() {
  for (const std::string& name : file_system_.list()) {
    auto parsed = wal_format::parse_segment_name(options_.prefix, name);
    if (!parsed.ok()) return parsed.status();
    if (!parsed.value()) continue;  // another component's file
    found_.push_back(Found{.name = name, .sequence = *parsed.value()});
  }
  // list() is sorted by name, and fixed-width hex sorts like the numbers it spells.
  for (std::size_t i = 1; i < found_.size(); ++i) {
    RAFTSIM_CHECK(found_[i].sequence > found_[i - 1].sequence);
    if (found_[i].sequence != found_[i - 1].sequence + 1) {
      return corruption(found_[i].name, 0,
                        "segment " + std::to_string(found_[i - 1].sequence + 1) +
                            " is missing (found " + found_[i - 1].name + " then this one)");
    }
  }
  return Status();
}

Status WalRecoverer::read_headers() {
  for (std::size_t i = 0; i < found_.size(); ++i) {
    Found& found = found_[i];
    const Result<std::uint64_t> size = file_system_.size(found.name);
    if (!size.ok()) return size.status();
    found.size_bytes = size.value();
    if (found.size_bytes < kSegmentHeaderBytes) {
      if (i + 1 == found_.size()) continue;  // torn while being created; dropped by run()
      return corruption(found.name, found.size_bytes,
                        "segment header truncated (" + std::to_string(found.size_bytes) + " of " +
                            std::to_string(kSegmentHeaderBytes) + " bytes) in a sealed segment");
    }
    const auto bytes = file_system_.read(found.name, 0, kSegmentHeaderBytes);
    if (!bytes.ok()) return bytes.status();
    auto header = wal_format::decode_header(bytes.value(), found.name, found.sequence);
    if (!header.ok()) return header.status();
    found.header = header.value();
  }
  return Status();
}

std::optional<std::size_t> WalRecoverer::newest_base_before(std::size_t end) const {
  for (std::size_t index = end; index-- > 0;) {
    if (found_[index].header && found_[index].header->is_base()) return index;
  }
  return std::nullopt;
}

WalRecoverer::Scan WalRecoverer::scan_range(std::size_t first, std::size_t end, bool end_is_last) {
  Scan scan;
  for (std::size_t index = first; index < end && scan.error.ok(); ++index) {
    scan.error = scan_segment(found_[index], end_is_last && index + 1 == end, scan);
  }
  return scan;
}

// Reads one segment's records into `scan`. Only in the last segment may a final record be torn:
// cut short, or failing its checksum while ending exactly at the end of the file (which a torn
// write cannot be told apart from). Any other damage is corruption.
Status WalRecoverer::scan_segment(const Found& found, bool is_last, Scan& scan) {
  const auto read = file_system_.read(found.name, 0, found.size_bytes);
  if (!read.ok()) return read.status();
  const std::span<const std::uint8_t> bytes = read.value();
  RAFTSIM_CHECK(bytes.size() == found.size_bytes);
  std::uint64_t offset = kSegmentHeaderBytes;
  std::uint64_t count = 0;
  auto torn_or = [&](const std::string& what) {
    if (is_last) {
      scan.torn_bytes = bytes.size() - offset;
      return Status();
    }
    return corruption(found.name, offset, what + " in a sealed segment");
  };
  Status status;
  while (offset < bytes.size() && status.ok()) {
    const std::uint64_t remaining = bytes.size() - offset;
    if (remaining < kRecordHeaderBytes) {
      status = torn_or("record frame cut short (" + std::to_string(remaining) + " bytes)");
      break;
    }
    const std::uint32_t word = wal_format::get_u32(bytes, offset);
    const std::optional<std::uint32_t> decoded = wal_format::decode_length_word(word);
    if (!decoded) {
      status = corruption(found.name, offset,
                          "record length word " + std::to_string(word) + " fails its check byte");
      break;
    }
    const std::uint64_t length = *decoded;
    if (length > remaining - kRecordHeaderBytes) {
      status = torn_or("record of " + std::to_string(length) + " bytes runs past the end");
      break;
    }
    const auto payload = bytes.subspan(offset + kRecordHeaderBytes, length);
    const std::uint32_t stored = wal_format::get_u32(bytes, offset + 4);
    if (stored != wal_format::record_checksum(bytes.subspan(offset, 4), payload)) {
      const bool ends_file = offset + kRecordHeaderBytes + length == bytes.size();
      status = ends_file ? torn_or("record checksum mismatch")
                         : corruption(found.name, offset,
                                      "record checksum mismatch with more data after it");
      break;
    }
    scan.records.emplace_back(payload.begin(), payload.end());
    offset += kRecordHeaderBytes + length;
    count += 1;
  }
  scan.segment_record_counts.push_back(count);
  scan.segment_valid_bytes.push_back(offset);
  return status;
}

Status WalRecoverer::remove_found(std::size_t index) {
  if (Status removed = file_system_.remove(found_[index].name); !removed.ok()) return removed;
  report_.segments_removed += 1;
  return Status();
}

Result<std::unique_ptr<Wal>> WalRecoverer::start_fresh() {
  RAFTSIM_CHECK(found_.empty());
  std::unique_ptr<Wal> wal(new Wal(file_system_, options_));
  Wal::Segment first{.sequence = 1, .size_bytes = kSegmentHeaderBytes, .synced = true};
  const std::string name = wal->name_of(first);
  if (Status created = file_system_.create(name); !created.ok()) return created;
  const auto header = wal_format::encode_header(
      SegmentHeader{.flags = wal_format::kFlagBase, .sequence = 1, .base_record_count = 0});
  if (Status appended = file_system_.append(name, header); !appended.ok()) return appended;
  if (Status synced = file_system_.sync(name); !synced.ok()) return synced;
  file_system_.preallocate(name, options_.segment_bytes_max);
  wal->bytes_written_ = header.size();
  wal->segments_.push_back(first);
  wal->check_invariants();
  report_.segments = 1;
  return wal;
}

// Removes segments the live log [base, end) superseded, cuts the torn tail, makes the last
// segment durable, and hands the log over.
Result<std::unique_ptr<Wal>> WalRecoverer::finish(std::size_t base, std::size_t end, Scan& scan) {
  RAFTSIM_CHECK(base < end && end <= found_.size());
  RAFTSIM_CHECK(scan.segment_record_counts.size() == end - base);
  for (std::size_t index = 0; index < base; ++index) {
    if (Status removed = remove_found(index); !removed.ok()) return removed;
  }
  const std::uint64_t last_valid_bytes = scan.segment_valid_bytes.back();
  const std::string& last_name = found_[end - 1].name;
  if (scan.torn_bytes > 0) {
    RAFTSIM_CHECK(last_valid_bytes + scan.torn_bytes == found_[end - 1].size_bytes);
    if (Status cut = file_system_.truncate(last_name, last_valid_bytes); !cut.ok()) return cut;
    RAFTSIM_PROBE(storage_torn_tail_truncated);
    report_.torn_bytes_dropped += scan.torn_bytes;
  }
  // Durable before anything is built on it: a reopen without a crash may find unsynced bytes.
  if (Status synced = file_system_.sync(last_name); !synced.ok()) return synced;
  std::unique_ptr<Wal> wal(new Wal(file_system_, options_));
  for (std::size_t index = base; index < end; ++index) {
    wal->segments_.push_back(Wal::Segment{
        .sequence = found_[index].sequence,
        .size_bytes = scan.segment_valid_bytes[index - base],
        .record_count = scan.segment_record_counts[index - base],
        .synced = true,
    });
  }
  wal->record_count_ = scan.records.size();
  wal->check_invariants();
  report_.segments = static_cast<std::uint32_t>(wal->segments_.size());
  report_.records = std::move(scan.records);
  return wal;
}

}  // namespace raftsim
