// raftsim: the central list of probes (see probe.h), one X(name, what) per interesting branch,
// grouped by the unit that holds its site. A name is layer_unit_what; each appears at exactly one
// RAFTSIM_PROBE site in raft/ or jobqueue/ (tests/probe_test.cc checks both directions), so the
// list is the whole set a campaign can report as hit or never hit. jobqueue's names live here
// too: raft/base is the one unit both layers see, and a list in one place cannot drift.
#pragma once

#define RAFTSIM_PROBE_LIST(X)                                                                    \
  /* raft/core: elections */                                                                     \
  X(core_election_timeout_campaign, "a follower's election timeout fired and it campaigned")     \
  X(core_pre_vote_won_then_campaign, "a pre-candidate won its pre-vote and campaigned for real") \
  X(core_vote_ignored_leader_recent, "a vote request ignored: heard from a leader recently")     \
  X(core_vote_rejected_stale_log, "a vote refused: the candidate's log is not up to date")       \
  X(core_vote_rejected_already_voted, "a vote refused: already voted for another this term")     \
  X(core_pre_vote_rejected, "a pre-vote refused (stale log or a known leader)")                  \
  X(core_pre_vote_rejected_stale_term, "a pre-vote request of an older term answered with no")   \
  X(core_election_lost, "a candidate's tally reached a losing majority")                         \
  X(core_vote_duplicate_ignored, "a duplicate vote response counted once")                       \
  X(core_stale_leader_told_newer_term, "a message from a stale leader answered with our term")   \
  X(core_leader_deposed_by_higher_term, "a leader stepped down on seeing a higher term")         \
  /* raft/core: replication */                                                                   \
  X(core_append_below_commit, "an append below our commit index answered with the commit")       \
  X(core_append_rejected_mismatch, "an append failed the consistency check")                     \
  X(core_append_hint_behind, "a rejection's hint: the follower's log is simply shorter")         \
  X(core_append_hint_conflict_term, "a rejection's hint names a conflicting term")               \
  X(core_conflicting_tail_truncated, "a follower truncated a conflicting suffix")                \
  X(core_conflicting_multi_entry_tail, "a truncated conflicting suffix held 2+ entries")         \
  X(core_backtrack_hint_term_used, "the leader skipped a whole term using the follower's hint")  \
  X(core_stale_rejection_ignored, "a late rejection (already matched past it) was ignored")      \
  X(core_commit_prev_term_via_current, "a commit covered entries of an earlier term")            \
  X(core_commit_refused_prev_term, "a quorum held an entry of an earlier term: not committed")   \
  X(core_inflight_window_full, "an append to a follower waited: its window is full")             \
  X(core_stalled_follower_to_probe, "a follower answered heartbeats but no appends: probe")      \
  X(core_check_quorum_step_down, "CheckQuorum: a leader without a live majority stepped down")   \
  /* raft/core: reads */                                                                         \
  X(core_read_waits_for_term_commit, "a ReadIndex waited for the leader's first commit")         \
  X(core_lease_read_served, "a read was served from the leader's lease")                         \
  /* raft/core: snapshots */                                                                     \
  X(core_snapshot_sent, "a leader started sending a snapshot to a follower")                     \
  X(core_snapshot_installed, "a follower assembled and installed a whole snapshot")              \
  X(core_snapshot_chunk_stale, "a chunk at or below the commit index was ignored")               \
  X(core_snapshot_chunk_resume, "a chunk out of order: the follower asked to resume")            \
  X(core_snapshot_late_reply_ignored, "a late append reply during a snapshot transfer")          \
  /* raft/core: membership and transfer */                                                       \
  X(core_joint_entered, "a joint configuration C_old,new took effect")                           \
  X(core_joint_left, "a leader appended C_new to leave a joint configuration")                   \
  X(core_config_truncated_fallback, "a truncated config entry: back to the previous config")     \
  X(core_removed_leader_handover, "a leader not in C_new handed over and stepped down")          \
  X(core_transfer_timeout_now, "a leadership transfer sent TimeoutNow")                          \
  X(core_transfer_aborted, "a leadership transfer timed out and was aborted")                    \
  X(core_forced_campaign, "a TimeoutNow made a server campaign without PreVote")                 \
  /* raft/node */                                                                                \
  X(node_recovered_from_snapshot, "a restart restored the state machine from a snapshot file")   \
  X(node_damaged_snapshot_skipped, "recovery skipped a damaged snapshot file")                   \
  X(node_log_cut_after_snapshot, "recovery repaired a crash between snapshot save and cut")      \
  X(node_recovered_unapplied_log, "a restart found persisted entries past its snapshot")         \
  X(node_snapshot_taken, "the host took a snapshot")                                             \
  X(node_fail_stop, "a node stopped for good (storage failure or corruption)")                   \
  X(node_client_not_leader, "a client request answered not_leader")                              \
  X(node_client_retry_answered, "a retried command answered from the session table")             \
  X(node_client_index_lost, "a client's command index was taken by another leader's entry")      \
  /* raft/storage */                                                                             \
  X(storage_segment_rolled, "the WAL rolled over to a new segment")                              \
  X(storage_torn_tail_truncated, "recovery cut a torn tail off the last segment")                \
  X(storage_corruption_detected, "recovery found corruption (a sealed segment or a record)")     \
  X(storage_wal_compacted, "the WAL was cut behind a snapshot")                                  \
  /* jobqueue/queue */                                                                           \
  X(queue_lease_expired, "a job's lease expired and the job became leasable again")              \
  X(queue_dead_lettered_expiry, "a job's last lease expired: dead-lettered")                     \
  X(queue_dead_lettered_failures, "a job failed its last attempt: dead-lettered")                \
  X(queue_stale_token_rejected, "a worker's fencing token was stale")                            \
  X(queue_idempotency_hit, "an enqueue with a known idempotency key returned the first job")     \
  X(queue_lease_extended, "a worker extended its lease")                                         \
  X(queue_archived_job_touched, "a complete/fail/extend named a job already archived")
