#pragma once
// The chaos suite's verdict, from the database: per agent, every sample its generator produced
// and its WAL acknowledged (seq 1..acked tag) is stored exactly once. The count and the sum of
// values (a checksum: agent::synthetic_value) must both match; on a mismatch the stored values
// are mapped back to their sample numbers to name exactly which were lost or stored twice.

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace sentinel::chaos {

struct StoredSamples {
  std::int64_t count = 0;
  double sum = 0;
};

// The synthetic samples stored per agent name (the name of its bootstrap token).
std::map<std::string, StoredSamples> stored_per_agent(const std::string& store_url);

// The values stored for one agent, one per row.
std::vector<double> stored_values(const std::string& store_url, const std::string& agent);

// An agent's WAL as `wal inspect` saw it when the load ended (the agent killed while cut off
// from the gateways, holding samples) and after the drain.
struct AgentWal {
  std::uint64_t held_batches = 0;   // unacked when the load ended
  std::uint64_t tag_held_from = 0;  // the acked tag then
  std::uint64_t acked_tag = 0;      // after the drain
  std::uint64_t unacked = 0;        // after the drain: must be 0
};

struct Verdict {
  std::string agent;
  AgentWal wal;
  StoredSamples stored;
  double expected_sum = 0;
  std::vector<std::uint64_t> missing, duplicated, unexpected;  // sample numbers
  bool ok() const;
  std::string describe() const;  // one line; the diagnosis on a mismatch
};

// Compares what is stored with 1..acked tag and checks that what the agent held when the load
// ended came out of its WAL; `values` is called only on a mismatch.
Verdict judge(std::string agent, const AgentWal& wal, StoredSamples stored,
              const std::function<std::vector<double>()>& values);

// The alert transitions the workers' alerting leader recorded (the `alerts` rows). Leadership
// moves with every kill of a worker or of PostgreSQL; the new leader continues from the saved
// instance state, so an instance must never be recorded firing (or resolved) twice in a row:
// that would be one transition notified twice.
struct AlertHistory {
  std::int64_t transitions = 0;  // firing and resolved rows
  std::int64_t firings = 0;
  std::int64_t repeated = 0;  // rows whose instance's previous row has the same state
  bool ok() const { return repeated == 0; }
  std::string describe() const;
};

AlertHistory alert_history(const std::string& store_url);

// One alert of a webhook message as the chaos receiver got it.
struct Delivery {
  std::int64_t notification_id = 0;
  std::string fingerprint;
  std::string status;      // firing or resolved
  std::int64_t at_ms = 0;  // starts_at when firing, ends_at when resolved: the transition's time
};

// Every alert of every message, in arrival order; throws on a body that is not a webhook message.
std::vector<Delivery> deliveries_in(const std::vector<std::string>& bodies);

// The notifications of the `alerts` transitions (firing and resolved; the one notifier is a
// webhook with send_resolved): each must have reached the receiver or still wait in the outbox
// (missing otherwise), under one notification id (two would be one transition notified twice).
// The same id received again is a redelivery: a worker killed between the receiver's answer and
// the commit of the attempt sends it again (at least once), as the outbox promises.
struct NotificationCheck {
  std::int64_t transitions = 0;
  std::int64_t received = 0;  // transitions the receiver got
  std::int64_t pending = 0;   // transitions still in the outbox
  std::int64_t missing = 0;
  std::int64_t doubled = 0;  // transitions under more than one notification id
  std::int64_t redelivered = 0;
  std::int64_t dead = 0;              // rows in notifications_dlq: the receiver always answers 200
  std::vector<std::string> examples;  // the first transitions missing, doubled or still pending
  bool ok() const { return missing == 0 && doubled == 0 && dead == 0; }
  std::string describe() const;
};

// Reads the transitions, then the outbox, then calls `received`: a row gone from the outbox was
// sent, so the receiver already has it by then.
NotificationCheck check_notifications(const std::string& store_url,
                                      const std::function<std::vector<Delivery>()>& received);

}  // namespace sentinel::chaos
