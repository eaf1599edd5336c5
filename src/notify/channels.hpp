#pragma once
// The channel catalogue, filled by the files that define them.

#include <memory>
#include <vector>

#include "channel.hpp"

namespace sentinel::notify {

void add_chat_channels(std::vector<std::unique_ptr<Channel>>& out);
void add_incident_channels(std::vector<std::unique_ptr<Channel>>& out);
void add_email_channel(std::vector<std::unique_ptr<Channel>>& out);

}  // namespace sentinel::notify
