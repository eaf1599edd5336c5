#include "config_tree.hpp"

#include <algorithm>
#include <cctype>

#include <yaml-cpp/yaml.h>

namespace sentinel::core {
namespace {

ConfigNode convert(const YAML::Node& yaml, const std::string& origin) {
  ConfigNode node;
  node.origin = fmt::format("{}:{}", origin, yaml.Mark().line + 1);
  switch (yaml.Type()) {
    case YAML::NodeType::Scalar:
      node.kind = ConfigNode::Kind::kScalar;
      node.scalar = yaml.Scalar();
      break;
    case YAML::NodeType::Sequence:
      node.kind = ConfigNode::Kind::kList;
      for (const auto& item : yaml)
        node.list.push_back(convert(item, origin));
      break;
    case YAML::NodeType::Map:
      node.kind = ConfigNode::Kind::kMap;
      for (const auto& item : yaml) {
        node.map.push_back({item.first.as<std::string>(), convert(item.second, origin)});
      }
      break;
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      break;
  }
  return node;
}

void emit(YAML::Emitter& out, const ConfigNode& node) {
  switch (node.kind) {
    case ConfigNode::Kind::kNull:
      out << YAML::Null;
      break;
    case ConfigNode::Kind::kScalar:
      out << node.scalar;
      break;
    case ConfigNode::Kind::kList:
      out << YAML::BeginSeq;
      for (const auto& item : node.list)
        emit(out, item);
      out << YAML::EndSeq;
      break;
    case ConfigNode::Kind::kMap:
      out << YAML::BeginMap;
      for (const auto& entry : node.map) {
        out << YAML::Key << entry.key << YAML::Value;
        emit(out, entry.node);
      }
      out << YAML::EndMap;
      break;
  }
}

}  // namespace

const ConfigNode* ConfigNode::find(std::string_view key) const {
  auto it = std::find_if(map.begin(), map.end(), [&](const auto& e) { return e.key == key; });
  return it == map.end() ? nullptr : &it->node;
}

ConfigNode& ConfigNode::entry(std::string_view key) {
  kind = Kind::kMap;
  auto it = std::find_if(map.begin(), map.end(), [&](const auto& e) { return e.key == key; });
  if (it != map.end()) return it->node;
  map.push_back({std::string(key), ConfigNode{}});
  return map.back().node;
}

ConfigNode parse_yaml(const std::string& text, const std::string& origin) {
  try {
    return convert(YAML::Load(text), origin);
  } catch (const YAML::Exception& e) {
    throw ConfigErrors({{fmt::format("{}:{}", origin, e.mark.line + 1), "", "",
                         fmt::format("valid YAML ({})", e.msg)}});
  }
}

std::string render_yaml(const ConfigNode& node) {
  YAML::Emitter out;
  emit(out, node);
  return std::string(out.c_str()) + "\n";
}

ConfigState::ConfigState(ConfigInputs inputs) : inputs_(std::move(inputs)) {
  effective_root_.kind = ConfigNode::Kind::kMap;
}

std::string environment_name(std::string_view dotted_key) {
  if (dotted_key.find('[') != std::string_view::npos) return {};
  std::string name = "SENTINEL_";
  for (char c : dotted_key) {
    name += c == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return name;
}

}  // namespace sentinel::core
