// A fixture for the generator's test: one or two sites of every operator, and the places no
// operator may touch (comments, strings, assertions, bug queries, invariant checkers).
#include <algorithm>  // if (a < b) in a comment is not a site
#include <vector>

namespace fixture {

bool Node::handle_append(const Message& message) {
  if (message.term < term_) return false;
  log_.commit_to(std::min(message.commit, last_index_ + 1));
  RAFTSIM_CHECK(message.term >= term_ && last_index_ == 0);
  const char* text = "x == y && z";
  if (config_.bugs.has(Bug::stale)) reply(1'000);
  std::vector<int> entries;
  reply(0);
  return true;
}

void Node::check_invariants() const {
  if (a_ != b_) abort();
}

}  // namespace fixture
