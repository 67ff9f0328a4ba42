// raftsim: counts heap allocations so `raftsim bench` can show that the kernel allocates nothing
// per event in steady state. Replaces the global operator new for the raftsim binary only; the
// count is a plain integer because a run is single-threaded.
#include <cstdlib>
#include <new>

#include "tools/commands.h"

namespace {
unsigned long long g_allocations = 0;
}

namespace raftsim::tools {
unsigned long long allocation_count() {
  return g_allocations;
}
}  // namespace raftsim::tools

void* operator new(std::size_t size) {
  ++g_allocations;
  if (void* memory = std::malloc(size == 0 ? 1 : size)) return memory;
  throw std::bad_alloc();
}

void* operator new[](std::size_t size) {
  return operator new(size);
}
void operator delete(void* memory) noexcept {
  std::free(memory);
}
void operator delete[](void* memory) noexcept {
  std::free(memory);
}
void operator delete(void* memory, std::size_t) noexcept {
  std::free(memory);
}
void operator delete[](void* memory, std::size_t) noexcept {
  std::free(memory);
}
// The nothrow forms too: std::stable_sort's temporary buffer comes from nothrow new and goes back
// through operator delete, so every form must use the same allocator (ASan checks the pairing).
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  ++g_allocations;
  return std::malloc(size == 0 ? 1 : size);
}
void* operator new[](std::size_t size, const std::nothrow_t& tag) noexcept {
  return operator new(size, tag);
}
void operator delete(void* memory, const std::nothrow_t&) noexcept {
  std::free(memory);
}
void operator delete[](void* memory, const std::nothrow_t&) noexcept {
  std::free(memory);
}
