#pragma once
// The host facts a heartbeat carries: fixed ones read at start, the rest taken from the last
// collection tick's samples.

#include <filesystem>
#include <vector>

#include "proto/sentinel.pb.h"

namespace sentinel::agent {

// os, hostname, kernel, cpu count and agent version.
v1::HostFacts static_host_facts();
// cpu%, memory%, root disk%, load and uptime from the samples of one tick, where present.
void update_host_facts(const std::vector<v1::Metric>& metrics, v1::HostFacts& facts);
// /etc/machine-id under `rootfs`, empty when absent: the hardware id sent at enrolment.
std::string machine_id(const std::filesystem::path& rootfs);

}  // namespace sentinel::agent
