// raftsim: the Ready driver -- the persist / send / apply / advance round, with its order checked.
#include "raft/node/ready_driver.h"

#include "raft/base/check.h"

namespace raftsim {

namespace {

// The round's steps, in the order the core's Ready contract requires.
enum class Step : std::uint8_t { taken, installed, persisted, sent, applied, reads_handed };

// Each step checks where the round is before it runs: a reordering of the code below (other than
// the ack-before-fsync bug's, which is declared) fails at once in every test and simulation.
void enter(Step& at, Step expected, Step next) {
  RAFTSIM_CHECK_MSG(at == expected, "Ready steps out of order");
  at = next;
}

}  // namespace

std::optional<HardState> ReadyDriver::written_hard_state(const Raft& core,
                                                         const Ready& ready) const {
  std::optional<HardState> written = ready.hard_state;
  if (written && written->vote != core.id() && bugs_.has(HostBug::vote_not_persisted)) {
    written->vote = kNoNode;  // injected bug: the grant is sent, but the vote is never written
  }
  return written;
}

Status ReadyDriver::run_round(Raft& core, Ready& ready, ReadySink& sink) const {
  core.ready(ready);
  Step at = Step::taken;
  const std::optional<HardState> hard_state = written_hard_state(core, ready);
  if (ready.snapshot) {
    if (Status s = sink.install_snapshot(*ready.snapshot, hard_state); !s.ok()) return s;
  }
  enter(at, Step::taken, Step::installed);
  // With a snapshot, its hard state was made durable with it.
  const std::optional<HardState> log_hard_state = ready.snapshot ? std::nullopt : hard_state;
  const bool persist_first = !bugs_.has(HostBug::ack_before_fsync);
  if (persist_first) {
    if (Status s = sink.persist(log_hard_state, ready.rewrite_from, ready.entries); !s.ok()) {
      return s;
    }
    enter(at, Step::installed, Step::persisted);
  }
  enter(at, persist_first ? Step::persisted : Step::installed, Step::sent);
  for (const Message& message : ready.messages) sink.send(message);
  enter(at, Step::sent, Step::applied);
  for (const Entry& entry : ready.committed_entries) sink.apply(entry);
  enter(at, Step::applied, Step::reads_handed);
  for (const ReadState& read : ready.read_states) sink.read_ready(read);
  if (!persist_first) {
    if (Status s = sink.persist(log_hard_state, ready.rewrite_from, ready.entries); !s.ok()) {
      return s;
    }
  }
  core.advance(ready);
  return Status();
}

}  // namespace raftsim
