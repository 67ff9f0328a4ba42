#include "raft/core/messages.h"

#include "raft/base/check.h"

namespace raftsim {

const char* message_type_name(MessageType type) {
  switch (type) {
    case MessageType::pre_vote_request:
      return "PreVote";
    case MessageType::pre_vote_response:
      return "PreVoteResp";
    case MessageType::vote_request:
      return "Vote";
    case MessageType::vote_response:
      return "VoteResp";
    case MessageType::append:
      return "App";
    case MessageType::append_response:
      return "AppResp";
    case MessageType::heartbeat:
      return "HB";
    case MessageType::heartbeat_response:
      return "HBResp";
    case MessageType::install_snapshot:
      return "Snap";
    case MessageType::install_snapshot_response:
      return "SnapResp";
    case MessageType::timeout_now:
      return "TimeoutNow";
  }
  RAFTSIM_UNREACHABLE("unknown MessageType");
}

std::string Message::describe() const {
  std::string text = std::string(message_type_name(type)) + " t" + std::to_string(term);
  switch (type) {
    case MessageType::pre_vote_request:
    case MessageType::vote_request:
      text += " last=" + std::to_string(log_index) + "/t" + std::to_string(log_term);
      if (context == kForcedCampaign) text += " forced";
      break;
    case MessageType::pre_vote_response:
    case MessageType::vote_response:
      text += reject ? " no" : " yes";
      break;
    case MessageType::append:
      text += " prev=" + std::to_string(log_index) + "/t" + std::to_string(log_term) +
              " n=" + std::to_string(entries.size()) + " c=" + std::to_string(commit);
      break;
    case MessageType::append_response:
      text += reject ? " rej " + std::to_string(log_index) + " hint=" + std::to_string(hint_index) +
                           "/t" + std::to_string(hint_term)
                     : " ok " + std::to_string(log_index);
      break;
    case MessageType::heartbeat:
      text += " c=" + std::to_string(commit) + " ctx=" + std::to_string(context);
      break;
    case MessageType::heartbeat_response:
      text += " ctx=" + std::to_string(context);
      break;
    case MessageType::install_snapshot:
      text += " " + std::to_string(log_index) + "/t" + std::to_string(log_term) + " @" +
              std::to_string(context) + "+" +
              std::to_string(entries.empty() ? 0 : entries.front().data.size()) + "/" +
              std::to_string(hint_index);
      break;
    case MessageType::install_snapshot_response:
      text += " " + std::to_string(log_index) + " @" + std::to_string(context) +
              (hint_index != 0 ? " have=" + std::to_string(hint_index) : "");
      break;
    case MessageType::timeout_now:
      break;
  }
  return text;
}

}  // namespace raftsim
