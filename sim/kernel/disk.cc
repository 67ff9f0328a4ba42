#include "sim/kernel/disk.h"

#include <algorithm>

#include "raft/base/check.h"
#include "raft/io/file_contract.h"

namespace raftsim::sim {

Status DiskConfig::validate() const {
  if (sync_latency_min < 0 || sync_latency_max < sync_latency_min) {
    return Status(StatusCode::invalid_argument, "sync latency must satisfy 0 <= min <= max");
  }
  if (!torn_write_on_crash.valid()) {
    return Status(StatusCode::invalid_argument, "torn_write_on_crash must lie in [0, 1]");
  }
  return Status();
}

SimDisk::SimDisk(std::uint32_t node, const DiskConfig& config, Random random,
                 const Scheduler& scheduler, Trace& trace)
    : node_(node), config_(config), random_(random), scheduler_(scheduler), trace_(trace) {
  RAFTSIM_CHECK_MSG(config.validate().ok(), "invalid disk config");
}

SimDisk::File* SimDisk::find(std::string_view name) {
  auto it = files_.find(name);
  return it == files_.end() ? nullptr : &it->second;
}

const SimDisk::File* SimDisk::find(std::string_view name) const {
  auto it = files_.find(name);
  return it == files_.end() ? nullptr : &it->second;
}

Status SimDisk::missing(std::string_view name) const {
  return file_contract::not_found(name);
}

void SimDisk::record(TraceKind kind, std::string_view name, std::uint64_t a, std::uint64_t b) {
  trace_.record(scheduler_.now(), kind, node_, kNoNode, 0, a, b, name);
}

Status SimDisk::create(std::string_view name) {
  RAFTSIM_CHECK_MSG(!name.empty() && name.size() <= kFileNameBytesMax, "bad file name length");
  if (find(name) != nullptr) {
    return file_contract::already_exists(name);
  }
  if (files_.size() >= kFilesMax) return Status(StatusCode::no_space, "too many files");
  files_.emplace(std::string(name), File{});
  if (metadata_must_wait()) {
    journal({PendingMetadata::Kind::create,
             scheduler_.now() + busy_time_,
             std::string(name),
             {},
             std::nullopt});
  }
  record(TraceKind::disk_write, name, 0, 0);
  return Status();
}

void SimDisk::journal(PendingMetadata entry) {
  std::erase_if(pending_metadata_, [&](const PendingMetadata& pending) {
    return pending.durable_at <= scheduler_.now();
  });
  pending_metadata_.push_back(std::move(entry));
}

void SimDisk::undo_pending_metadata() {
  for (auto entry = pending_metadata_.rbegin(); entry != pending_metadata_.rend(); ++entry) {
    if (entry->durable_at <= scheduler_.now()) continue;
    switch (entry->kind) {
      case PendingMetadata::Kind::create:
        files_.erase(entry->name);
        break;
      case PendingMetadata::Kind::remove:
        files_.insert_or_assign(entry->name, std::move(*entry->saved));
        break;
      case PendingMetadata::Kind::rename: {
        auto moved = files_.find(entry->name);
        RAFTSIM_CHECK_MSG(moved != files_.end(), "a renamed file vanished from the journal");
        File file = std::move(moved->second);
        files_.erase(moved);
        if (entry->saved) files_.insert_or_assign(entry->name, std::move(*entry->saved));
        files_.insert_or_assign(entry->from, std::move(file));
        break;
      }
    }
  }
  pending_metadata_.clear();
}

Status SimDisk::write(std::string_view name, std::uint64_t offset,
                      std::span<const std::uint8_t> data) {
  File* file = find(name);
  if (file == nullptr) return missing(name);
  if (offset > file->current.size()) {
    return file_contract::write_past_end(name, offset);
  }
  const std::uint64_t end = offset + data.size();
  const std::uint64_t growth = end > file->current.size() ? end - file->current.size() : 0;
  if (used_bytes_ + growth > config_.capacity_bytes) {
    record(TraceKind::disk_fault, name, offset, data.size());
    return file_contract::disk_full(name);
  }
  const std::uint64_t overwritten_end = std::min<std::uint64_t>(end, file->current.size());
  file->undo.push_back(Undo{offset,
                            {file->current.begin() + static_cast<std::ptrdiff_t>(offset),
                             file->current.begin() + static_cast<std::ptrdiff_t>(overwritten_end)},
                            file->current.size()});
  if (offset == file->current.size()) {
    file->current.insert(file->current.end(), data.begin(), data.end());  // the common append
  } else {
    if (growth > 0) file->current.resize(end);
    std::copy(data.begin(), data.end(),
              file->current.begin() + static_cast<std::ptrdiff_t>(offset));
  }
  used_bytes_ += growth;
  UnsyncedWrite& last = file->last_unsynced_write;
  last.present = true;
  last.offset = offset;
  last.size = data.size();
  last.copied = false;
  record(TraceKind::disk_write, name, offset, data.size());
  return Status();
}

Status SimDisk::append(std::string_view name, std::span<const std::uint8_t> data) {
  const File* file = find(name);
  if (file == nullptr) return missing(name);
  return write(name, file->current.size(), data);
}

Result<std::vector<std::uint8_t>> SimDisk::read(std::string_view name, std::uint64_t offset,
                                                std::uint64_t length) const {
  const File* file = find(name);
  if (file == nullptr) return missing(name);
  return file_contract::read_range(file->current, offset, length);
}

Result<std::uint64_t> SimDisk::size(std::string_view name) const {
  const File* file = find(name);
  if (file == nullptr) return missing(name);
  return static_cast<std::uint64_t>(file->current.size());
}

Status SimDisk::truncate(std::string_view name, std::uint64_t new_size) {
  File* file = find(name);
  if (file == nullptr) return missing(name);
  if (new_size > file->current.size()) {
    return file_contract::cannot_grow(name);
  }
  used_bytes_ -= file->current.size() - new_size;
  file->undo.push_back(
      Undo{new_size,
           {file->current.begin() + static_cast<std::ptrdiff_t>(new_size), file->current.end()},
           file->current.size()});
  file->current.resize(new_size);
  file->last_unsynced_write.reset();
  record(TraceKind::disk_truncate, name, new_size, 0);
  return Status();
}

Status SimDisk::sync(std::string_view name) {
  File* file = find(name);
  if (file == nullptr) return missing(name);
  const Time latency = random_.between(config_.sync_latency_min, config_.sync_latency_max);
  busy_time_ += latency;
  if (config_.crash_can_interrupt_sync) {
    // Durable once the caller has waited out every fsync it issued so far (they queue).
    complete_syncs(*file, scheduler_.now());
    file->pending_syncs.push_back(PendingSync{scheduler_.now() + busy_time_, file->undo.size()});
  } else {
    file->undo.clear();
    file->last_unsynced_write.reset();
  }
  record(TraceKind::disk_sync, name, file->current.size(), static_cast<std::uint64_t>(latency));
  return Status();
}

Status SimDisk::remove(std::string_view name) {
  auto it = files_.find(name);
  if (it == files_.end()) return missing(name);
  used_bytes_ -= it->second.current.size();
  if (metadata_must_wait()) {
    journal({PendingMetadata::Kind::remove,
             scheduler_.now() + busy_time_,
             std::string(name),
             {},
             std::move(it->second)});
  }
  files_.erase(it);
  record(TraceKind::disk_remove, name, 0, 0);
  return Status();
}

Status SimDisk::rename(std::string_view from, std::string_view to) {
  RAFTSIM_CHECK_MSG(!to.empty() && to.size() <= kFileNameBytesMax, "bad file name length");
  auto it = files_.find(from);
  if (it == files_.end()) return missing(from);
  if (from == to) return Status();
  File moved = std::move(it->second);
  files_.erase(it);
  std::optional<File> replaced;
  if (auto existing = files_.find(to); existing != files_.end()) {
    used_bytes_ -= existing->second.current.size();
    replaced = std::move(existing->second);
    files_.erase(existing);
  }
  if (metadata_must_wait()) {
    journal({PendingMetadata::Kind::rename, scheduler_.now() + busy_time_, std::string(to),
             std::string(from), std::move(replaced)});
  }
  files_.emplace(std::string(to), std::move(moved));
  record(TraceKind::disk_rename, std::string(from) + " -> " + std::string(to), 0, 0);
  return Status();
}

std::vector<std::string> SimDisk::list() const {
  std::vector<std::string> names;
  names.reserve(files_.size());
  for (const auto& [name, file] : files_) names.push_back(name);
  return names;  // std::map iterates in sorted order
}

void SimDisk::preallocate(std::string_view name, std::uint64_t bytes) {
  File* file = find(name);
  if (file == nullptr) return;
  file->current.reserve(std::min(bytes, kPreallocateBytesMax));
}

std::vector<std::uint8_t> SimDisk::durable_of(const File& file) {
  std::vector<std::uint8_t> image = file.current;
  for (auto undo = file.undo.rbegin(); undo != file.undo.rend(); ++undo) {
    const std::uint64_t end = undo->offset + undo->old_bytes.size();
    if (image.size() < end) image.resize(end);
    std::copy(undo->old_bytes.begin(), undo->old_bytes.end(),
              image.begin() + static_cast<std::ptrdiff_t>(undo->offset));
    image.resize(undo->old_size);
  }
  return image;
}

void SimDisk::complete_syncs(File& file, Time now) {
  std::size_t done = 0;
  std::size_t undo_done = 0;
  while (done < file.pending_syncs.size() && file.pending_syncs[done].completes_at <= now) {
    undo_done = file.pending_syncs[done].undo_count;
    ++done;
  }
  if (done == 0) return;
  file.pending_syncs.erase(file.pending_syncs.begin(),
                           file.pending_syncs.begin() + static_cast<std::ptrdiff_t>(done));
  file.undo.erase(file.undo.begin(), file.undo.begin() + static_cast<std::ptrdiff_t>(undo_done));
  for (PendingSync& pending : file.pending_syncs) pending.undo_count -= undo_done;
  if (file.undo.empty()) file.last_unsynced_write.reset();
}

std::span<const std::uint8_t> SimDisk::last_write_bytes(const File& file) {
  const UnsyncedWrite& last = file.last_unsynced_write;
  RAFTSIM_CHECK(last.present);
  if (last.copied) return last.data;
  RAFTSIM_CHECK(last.offset + last.size <= file.current.size());
  return std::span<const std::uint8_t>(file.current).subspan(last.offset, last.size);
}

void SimDisk::crash() {
  undo_pending_metadata();
  used_bytes_ = 0;
  for (auto& [name, file] : files_) {
    complete_syncs(file, scheduler_.now());
    file.pending_syncs.clear();  // an fsync in flight when the power went did not happen
    std::vector<std::uint8_t> survivor = durable_of(file);
    const UnsyncedWrite* last =
        file.last_unsynced_write.present ? &file.last_unsynced_write : nullptr;
    const std::span<const std::uint8_t> last_bytes =
        last != nullptr ? last_write_bytes(file) : std::span<const std::uint8_t>();
    // A torn write leaves a prefix of the write in place; it can only do so without a hole, i.e.
    // if the write started inside or at the end of the durable image.
    if (last && !last_bytes.empty() && last->offset <= survivor.size() &&
        random_.chance(config_.torn_write_on_crash)) {
      const std::uint64_t kept = random_.below(last_bytes.size());  // strictly less than all
      const std::uint64_t end = last->offset + kept;
      if (end > survivor.size()) survivor.resize(end);
      std::copy(last_bytes.begin(), last_bytes.begin() + static_cast<std::ptrdiff_t>(kept),
                survivor.begin() + static_cast<std::ptrdiff_t>(last->offset));
      record(TraceKind::disk_fault, name, last->offset, kept);
    }
    // What survived is on the medium now: a second crash must not undo the tear.
    file.current = std::move(survivor);
    file.undo.clear();
    file.last_unsynced_write.reset();
    used_bytes_ += file.current.size();
  }
  busy_time_ = 0;
}

Status SimDisk::corrupt_bit(std::string_view name, std::uint64_t bit_offset) {
  File* file = find(name);
  if (file == nullptr) return missing(name);
  const std::uint64_t byte = bit_offset / 8;
  if (byte >= file->current.size()) {
    return Status(StatusCode::out_of_range, "bit " + std::to_string(bit_offset) +
                                                " is past the end of '" + std::string(name) + "'");
  }
  const auto mask = static_cast<std::uint8_t>(1u << (bit_offset % 8));
  UnsyncedWrite& last = file->last_unsynced_write;
  if (last.present && !last.copied && byte >= last.offset && byte < last.offset + last.size) {
    // A torn write would leave what was written, not the flipped bit: keep the bytes first.
    const std::span<const std::uint8_t> written = last_write_bytes(*file);
    last.data.assign(written.begin(), written.end());
    last.copied = true;
  }
  file->current[byte] ^= mask;
  // The durable image lives in the undo log where a change since the last sync covers the byte.
  for (Undo& undo : file->undo) {
    if (byte >= undo.offset && byte < undo.offset + undo.old_bytes.size()) {
      undo.old_bytes[byte - undo.offset] ^= mask;
    }
  }
  record(TraceKind::disk_fault, name, bit_offset, 1);
  return Status();
}

void SimDisk::wipe() {
  record(TraceKind::disk_fault, "(wipe)", files_.size(), used_bytes_);
  files_.clear();
  pending_metadata_.clear();
  used_bytes_ = 0;
  busy_time_ = 0;
}

void SimDisk::set_capacity(std::uint64_t capacity_bytes) {
  config_.capacity_bytes = capacity_bytes;
}

void SimDisk::set_config(const DiskConfig& config) {
  RAFTSIM_CHECK_MSG(config.validate().ok(), "invalid disk config");
  config_ = config;
}

Time SimDisk::take_busy_time() {
  const Time busy = busy_time_;
  busy_time_ = 0;
  return busy;
}

std::optional<std::vector<std::uint8_t>> SimDisk::durable_image(std::string_view name) {
  File* file = find(name);
  if (file == nullptr) return std::nullopt;
  complete_syncs(*file, scheduler_.now());
  return durable_of(*file);
}

void SimDisk::hash_into(Hasher& hasher) const {
  hasher.add(files_.size());
  for (const auto& [name, file] : files_) {
    hasher.add_string(name).add_bytes(file.current).add(file.undo.size());
    for (const PendingSync& pending : file.pending_syncs) {
      hasher.add(static_cast<std::uint64_t>(pending.completes_at)).add(pending.undo_count);
    }
    for (const Undo& undo : file.undo) {
      hasher.add(undo.offset).add(undo.old_size).add_bytes(undo.old_bytes);
    }
  }
}

}  // namespace raftsim::sim
