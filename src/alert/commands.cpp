#include "sentinel/alert/commands.hpp"

#include <ostream>

#include <fmt/format.h>

#include "sentinel/alert/rules_file.hpp"
#include "sentinel/store/command.hpp"
#include "sentinel/store/session.hpp"

namespace sentinel::alert {

int rules_check(const std::filesystem::path& file, std::ostream& out, std::ostream& err) {
  auto loaded = load_rules_file(file);
  if (auto* errors = std::get_if<RulesFileErrors>(&loaded)) {
    for (const auto& error : errors->errors)
      err << error << '\n';
    return 1;
  }
  out << fmt::format("{}: {} rules OK\n", file.string(),
                     std::get<std::vector<Rule>>(loaded).size());
  return 0;
}

int rules_list(const core::ComponentCatalog& catalog, core::ConfigInputs inputs,
               std::filesystem::path default_data_dir, std::ostream& out) {
  return store::store_command(
      catalog, std::move(inputs), std::move(default_data_dir), "rules", [&](store::Session& s) {
        out << fmt::format("{:<28} {:<6} {:<8} {}\n", "ID", "SOURCE", "ENABLED", "NAME");
        for (const auto& rule : s.alerts().list_rules()) {
          out << fmt::format("{:<28} {:<6} {:<8} {}\n", rule.id, rule.source,
                             rule.enabled ? "yes" : "no", rule.name);
        }
        return 0;
      });
}

}  // namespace sentinel::alert
