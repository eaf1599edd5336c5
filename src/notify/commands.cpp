#include "sentinel/notify/commands.hpp"

#include <ostream>

#include <fmt/format.h>

#include "sentinel/alert/notification.hpp"
#include "sentinel/core/unix_time.hpp"
#include "sentinel/store/command.hpp"
#include "sentinel/store/session.hpp"

namespace sentinel::notify {
namespace {

int list(store::Session& s, std::ostream& out) {
  out << fmt::format("{:<8} {:<28} {:<8} {}\n", "ID", "NOTIFIER", "ATTEMPTS", "LAST ERROR");
  for (const auto& dead : s.outbox().dead_letters(1000)) {
    out << fmt::format("{:<8} {:<28} {:<8} {}\n", dead.id, dead.notifier_id, dead.attempts,
                       dead.last_error);
  }
  return 0;
}

}  // namespace

int dlq_command(const core::ComponentCatalog& catalog, core::ConfigInputs inputs,
                std::filesystem::path default_data_dir, DlqAction action, std::int64_t id,
                std::ostream& out) {
  return store::store_command(
      catalog, std::move(inputs), std::move(default_data_dir), "dlq", [&](store::Session& s) {
        switch (action) {
          case DlqAction::kList:
            return list(s, out);
          case DlqAction::kReplay:
            if (!s.outbox().replay(id, core::unix_ms())) break;
            out << fmt::format("dead letter {} is back in the outbox\n", id);
            return 0;
          case DlqAction::kDrop:
            if (!s.outbox().drop(id)) break;
            out << fmt::format("dead letter {} dropped\n", id);
            return 0;
        }
        out << fmt::format("no dead letter {}\n", id);
        return 1;
      });
}

}  // namespace sentinel::notify
