#include "sentinel/alert/template.hpp"

#include <catch2/catch.hpp>

using namespace sentinel::alert;

TEST_CASE("template: variables are filled") {
  TemplateContext c;
  c.agent = "agt_1";
  c.agent_name = "web-1";
  c.value = 93.456;
  c.threshold = 90;
  c.rule = "disk";
  c.severity = "critical";
  c.labels = {{"mountpoint", "/var"}};
  CHECK(render_template("{{ $labels.mountpoint }} on {{$agent_name}} ({{ $agent }}) is "
                        "{{ $value }}% > {{ $threshold }}% [{{ $rule }}/{{ $severity }}]",
                        c) == "/var on web-1 (agt_1) is 93.46% > 90% [disk/critical]");
  CHECK(render_template("{{ $labels.absent }}|", c) == "|");
  CHECK(render_template("no placeholders", c) == "no placeholders");
}

TEST_CASE("template: problems are found before rendering") {
  CHECK_FALSE(check_template("{{ $agent }} {{ $labels.x }}"));
  CHECK(check_template("{{ $agentx }}")->find("unknown variable '$agentx'") != std::string::npos);
  CHECK(check_template("{{ $agent ")->find("unclosed") != std::string::npos);
  CHECK(check_template("{{ $labels. }}"));
}

TEST_CASE("template: values read as people write them") {
  CHECK(format_value(90) == "90");
  CHECK(format_value(0.5) == "0.5");
  CHECK(format_value(1.0 / 3) == "0.33");
  CHECK(format_value(-2.25) == "-2.25");
}
