// raftsim: the in-memory file system -- two images per file, the synced one surviving crash().
#include "raft/memory/memory_file_system.h"

#include <algorithm>

#include "raft/base/check.h"
#include "raft/io/file_contract.h"

namespace raftsim {

MemoryFileSystem::File* MemoryFileSystem::find(std::string_view name) {
  auto it = files_.find(name);
  return it == files_.end() ? nullptr : &it->second;
}

const MemoryFileSystem::File* MemoryFileSystem::find(std::string_view name) const {
  auto it = files_.find(name);
  return it == files_.end() ? nullptr : &it->second;
}

Status MemoryFileSystem::missing(std::string_view name) {
  return file_contract::not_found(name);
}

Status MemoryFileSystem::create(std::string_view name) {
  RAFTSIM_CHECK_MSG(!name.empty() && name.size() <= kFileNameBytesMax, "bad file name length");
  if (find(name) != nullptr) {
    return file_contract::already_exists(name);
  }
  if (files_.size() >= kFilesMax) return Status(StatusCode::no_space, "too many files");
  files_.emplace(std::string(name), File{});
  return Status();
}

Status MemoryFileSystem::write(std::string_view name, std::uint64_t offset,
                               std::span<const std::uint8_t> data) {
  File* file = find(name);
  if (file == nullptr) return missing(name);
  if (offset > file->current.size()) {
    return file_contract::write_past_end(name, offset);
  }
  const std::uint64_t end = offset + data.size();
  const std::uint64_t growth = end > file->current.size() ? end - file->current.size() : 0;
  if (used_bytes_ + growth > capacity_bytes_) {
    return file_contract::disk_full(name);
  }
  if (growth > 0) file->current.resize(end);
  std::copy(data.begin(), data.end(), file->current.begin() + static_cast<std::ptrdiff_t>(offset));
  used_bytes_ += growth;
  return Status();
}

Status MemoryFileSystem::append(std::string_view name, std::span<const std::uint8_t> data) {
  const File* file = find(name);
  if (file == nullptr) return missing(name);
  return write(name, file->current.size(), data);
}

Result<std::vector<std::uint8_t>> MemoryFileSystem::read(std::string_view name,
                                                         std::uint64_t offset,
                                                         std::uint64_t length) const {
  const File* file = find(name);
  if (file == nullptr) return missing(name);
  return file_contract::read_range(file->current, offset, length);
}

Result<std::uint64_t> MemoryFileSystem::size(std::string_view name) const {
  const File* file = find(name);
  if (file == nullptr) return missing(name);
  return static_cast<std::uint64_t>(file->current.size());
}

Status MemoryFileSystem::truncate(std::string_view name, std::uint64_t new_size) {
  File* file = find(name);
  if (file == nullptr) return missing(name);
  if (new_size > file->current.size()) {
    return file_contract::cannot_grow(name);
  }
  used_bytes_ -= file->current.size() - new_size;
  file->current.resize(new_size);
  return Status();
}

Status MemoryFileSystem::sync(std::string_view name) {
  File* file = find(name);
  if (file == nullptr) return missing(name);
  file->durable = file->current;
  return Status();
}

Status MemoryFileSystem::remove(std::string_view name) {
  auto it = files_.find(name);
  if (it == files_.end()) return missing(name);
  used_bytes_ -= it->second.current.size();
  files_.erase(it);
  return Status();
}

Status MemoryFileSystem::rename(std::string_view from, std::string_view to) {
  auto source = files_.find(from);
  if (source == files_.end()) return missing(from);
  if (from == to) return Status();
  RAFTSIM_CHECK_MSG(!to.empty() && to.size() <= kFileNameBytesMax, "bad file name length");
  File moved = std::move(source->second);
  files_.erase(source);
  if (auto replaced = files_.find(to); replaced != files_.end()) {
    used_bytes_ -= replaced->second.current.size();
    files_.erase(replaced);
  }
  files_.emplace(std::string(to), std::move(moved));
  return Status();
}

std::vector<std::string> MemoryFileSystem::list() const {
  std::vector<std::string> names;
  names.reserve(files_.size());
  for (const auto& [name, file] : files_) names.push_back(name);
  return names;
}

void MemoryFileSystem::crash() {
  used_bytes_ = 0;
  for (auto& [name, file] : files_) {
    file.current = file.durable;
    used_bytes_ += file.current.size();
  }
}

Status MemoryFileSystem::corrupt_bit(std::string_view name, std::uint64_t bit_offset) {
  File* file = find(name);
  if (file == nullptr) return missing(name);
  const std::uint64_t byte = bit_offset / 8;
  if (byte >= file->current.size()) {
    return Status(StatusCode::out_of_range, "bit past the end of '" + std::string(name) + "'");
  }
  const auto mask = static_cast<std::uint8_t>(1u << (bit_offset % 8));
  file->current[byte] ^= mask;
  if (byte < file->durable.size()) file->durable[byte] ^= mask;
  return Status();
}

std::optional<std::vector<std::uint8_t>> MemoryFileSystem::durable_image(
    std::string_view name) const {
  const File* file = find(name);
  if (file == nullptr) return std::nullopt;
  return file->durable;
}

}  // namespace raftsim
