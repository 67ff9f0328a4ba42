#include "raft/storage/snapshot_store.h"

#include <algorithm>
#include <cstdio>

#include "raft/base/check.h"
#include "raft/core/codec.h"
#include "raft/storage/crc32c.h"

namespace raftsim {
namespace {

constexpr std::uint32_t kMagic = 0x504e5352;  // "RSNP" little-endian
constexpr std::uint32_t kVersion = 1;

std::string hex16(std::uint64_t value) {
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(value));
  return text;
}

bool parse_hex16(std::string_view text, std::uint64_t& value) {
  if (text.size() != 16) return false;
  value = 0;
  for (char c : text) {
    int digit = -1;
    if (c >= '0' && c <= '9') digit = c - '0';
    if (c >= 'a' && c <= 'f') digit = c - 'a' + 10;
    if (digit < 0) return false;
    value = value * 16 + static_cast<std::uint64_t>(digit);
  }
  return true;
}

}  // namespace

SnapshotStore::SnapshotStore(FileSystem& file_system, SnapshotStoreOptions options)
    : file_system_(file_system), options_(std::move(options)) {
  RAFTSIM_CHECK_MSG(options_.keep >= 1, "a snapshot store keeps at least one snapshot");
}

std::string SnapshotStore::file_name(const SnapshotMeta& meta) const {
  return options_.prefix + "-" + hex16(meta.index) + "-" + hex16(meta.term) + ".snap";
}

std::vector<SnapshotMeta> SnapshotStore::list() const {
  std::vector<SnapshotMeta> found;
  const std::string start = options_.prefix + "-";
  for (const std::string& name : file_system_.list()) {
    // <prefix>-<16 hex>-<16 hex>.snap
    if (name.size() != start.size() + 16 + 1 + 16 + 5 ||
        name.compare(0, start.size(), start) != 0 ||
        name.compare(name.size() - 5, 5, ".snap") != 0 || name[start.size() + 16] != '-') {
      continue;
    }
    SnapshotMeta meta;
    if (!parse_hex16(std::string_view(name).substr(start.size(), 16), meta.index) ||
        !parse_hex16(std::string_view(name).substr(start.size() + 17, 16), meta.term)) {
      continue;
    }
    found.push_back(meta);
  }
  std::sort(found.begin(), found.end(),
            [](const SnapshotMeta& a, const SnapshotMeta& b) { return a.index < b.index; });
  return found;
}

Status SnapshotStore::save(const SnapshotMeta& meta, std::span<const std::uint8_t> data) {
  if (data.size() > options_.bytes_max) {
    return Status(StatusCode::invalid_argument, "snapshot larger than bytes_max");
  }
  const std::vector<SnapshotMeta> existing = list();
  if (!existing.empty() && existing.back().index >= meta.index) {
    return Status(StatusCode::invalid_argument, "snapshot at " + std::to_string(meta.index) +
                                                    " is not newer than the newest (" +
                                                    std::to_string(existing.back().index) + ")");
  }
  std::vector<std::uint8_t> header;
  put_u32(header, kMagic);
  put_u32(header, kVersion);
  put_u64(header, meta.index);
  put_u64(header, meta.term);
  put_u64(header, data.size());
  put_u32(header, crc32c_mask(crc32c(data)));
  put_u32(header, crc32c_mask(crc32c(header)));
  RAFTSIM_CHECK(header.size() == kHeaderBytes);
  const std::string name = file_name(meta);
  const std::string temporary = name.substr(0, name.size() - 5) + ".tmp";
  (void)file_system_.remove(temporary);  // a leftover of an interrupted save, if any
  if (Status s = file_system_.create(temporary); !s.ok()) return s;
  file_system_.preallocate(temporary, header.size() + data.size());
  Status written = file_system_.append(temporary, header);
  if (written.ok()) written = file_system_.append(temporary, data);
  if (written.ok()) written = file_system_.sync(temporary);
  if (written.ok()) written = file_system_.rename(temporary, name);
  if (!written.ok()) {
    (void)file_system_.remove(temporary);
    return written;
  }
  // Only the newest `keep` stay; removing is best effort (a leftover is merely skipped later).
  std::vector<SnapshotMeta> all = list();
  while (all.size() > options_.keep) {
    (void)file_system_.remove(file_name(all.front()));
    all.erase(all.begin());
  }
  return Status();
}

Result<Snapshot> SnapshotStore::read_verified(const std::string& name,
                                              const SnapshotMeta& meta) const {
  auto corrupt = [&](const std::string& what) {
    return Status(StatusCode::corruption, name + ": " + what);
  };
  auto size = file_system_.size(name);
  if (!size.ok()) return size.status();
  if (size.value() < kHeaderBytes) return corrupt("shorter than a header");
  auto header = file_system_.read(name, 0, kHeaderBytes);
  if (!header.ok()) return header.status();
  ByteReader reader(header.value());
  std::uint32_t magic = 0, version = 0, data_crc = 0, header_crc = 0;
  SnapshotMeta stored;
  std::uint64_t length = 0;
  if (!reader.read_u32(magic) || !reader.read_u32(version) || !reader.read_u64(stored.index) ||
      !reader.read_u64(stored.term) || !reader.read_u64(length) || !reader.read_u32(data_crc) ||
      !reader.read_u32(header_crc)) {
    return corrupt("truncated header");
  }
  const auto covered = std::span<const std::uint8_t>(header.value()).first(kHeaderBytes - 4);
  if (crc32c_unmask(header_crc) != crc32c(covered)) return corrupt("header checksum mismatch");
  if (magic != kMagic || version != kVersion) return corrupt("not a version 1 snapshot file");
  if (stored != meta) return corrupt("header does not match the file name");
  if (length > options_.bytes_max) return corrupt("data length over bytes_max");
  if (size.value() != kHeaderBytes + length) return corrupt("file size does not match its header");
  auto data = file_system_.read(name, kHeaderBytes, length);
  if (!data.ok()) return data.status();
  if (data.value().size() != length) return corrupt("short read");
  if (crc32c_unmask(data_crc) != crc32c(data.value())) return corrupt("data checksum mismatch");
  return Snapshot{meta, SharedBytes(data.value()), {}};
}

Result<LoadedSnapshot> SnapshotStore::load_newest() const {
  LoadedSnapshot loaded;
  std::vector<SnapshotMeta> all = list();
  for (auto it = all.rbegin(); it != all.rend(); ++it) {
    const std::string name = file_name(*it);
    auto snapshot = read_verified(name, *it);
    if (snapshot.ok()) {
      loaded.snapshot = std::move(snapshot).value();
      return loaded;
    }
    if (snapshot.status().code() != StatusCode::corruption) return snapshot.status();
    loaded.damaged.push_back(snapshot.status().message());
  }
  return loaded;
}

Status SnapshotStore::remove_partial_saves() {
  const std::string start = options_.prefix + "-";
  for (const std::string& name : file_system_.list()) {
    if (name.compare(0, start.size(), start) == 0 && name.size() > 4 &&
        name.compare(name.size() - 4, 4, ".tmp") == 0) {
      if (Status s = file_system_.remove(name); !s.ok()) return s;
    }
  }
  return Status();
}

}  // namespace raftsim
