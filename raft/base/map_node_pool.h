// raftsim: spare nodes for a std::map or std::multimap whose entries come and go all the time
// (requests waiting for an answer), so that steady-state traffic allocates nothing: an erased
// entry's node -- and whatever capacity its value owns -- is kept and reused by a later insert.
// The pool holds at most as many nodes as the map once held at its fullest.
#pragma once

#include <type_traits>
#include <utility>
#include <vector>

#include "raft/base/check.h"

namespace raftsim {

template <typename Map>
class MapNodePool {
 public:
  using Key = typename Map::key_type;
  using Mapped = typename Map::mapped_type;

  // Inserts `key` with a value that is either fresh or a recycled one (its old contents are still
  // there, for the caller to overwrite field by field and so reuse their capacity). For a map,
  // the key must not be present yet.
  typename Map::iterator insert(Map& map, const Key& key) {
    if (spare_.empty()) return insert_fresh(map, key);
    typename Map::node_type node = std::move(spare_.back());
    spare_.pop_back();
    node.key() = key;
    return position_of(map.insert(std::move(node)));
  }

  void erase(Map& map, typename Map::iterator position) { spare_.push_back(map.extract(position)); }

  // Moves every entry of `map` to the pool.
  void clear(Map& map) {
    while (!map.empty()) erase(map, map.begin());
  }

 private:
  static typename Map::iterator insert_fresh(Map& map, const Key& key) {
    return position_of(map.emplace(key, Mapped{}));
  }
  // map::insert returns (iterator, bool) or insert_return_type; multimap returns an iterator.
  template <typename Inserted>
  static typename Map::iterator position_of(Inserted&& inserted) {
    if constexpr (std::is_same_v<std::decay_t<Inserted>, typename Map::iterator>) {
      return inserted;
    } else if constexpr (requires { inserted.position; }) {
      RAFTSIM_CHECK_MSG(inserted.inserted, "MapNodePool::insert: key already present");
      return inserted.position;
    } else {
      RAFTSIM_CHECK_MSG(inserted.second, "MapNodePool::insert: key already present");
      return inserted.first;
    }
  }

  std::vector<typename Map::node_type> spare_;
};

}  // namespace raftsim
