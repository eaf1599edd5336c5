#include <set>
#include <sys/statvfs.h>

#include "agent/collectors/builtin.hpp"

namespace sentinel::agent {
namespace {

struct Mount {
  std::string device;
  std::string mount_point;
  std::string type;
};

// Mount points escape space, tab, newline and backslash as octal (\040), see getmntent(3).
std::string unescape(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 3 < text.size()) {
      auto code = text.substr(i + 1, 3);
      int value = 0;
      auto [end, ec] = std::from_chars(code.data(), code.data() + 3, value, 8);
      if (ec == std::errc() && end == code.data() + 3) {
        out += static_cast<char>(value);
        i += 3;
        continue;
      }
    }
    out += text[i];
  }
  return out;
}

// The mounts in order; a later mount on the same point hides the earlier one, so it wins.
std::vector<Mount> parse_mounts(std::string_view text) {
  std::vector<Mount> mounts;
  for_each_line(text, [&](std::string_view line) {
    auto fields = split_fields(line);
    if (fields.size() < 3) return;
    Mount mount{unescape(fields[0]), unescape(fields[1]), std::string(fields[2])};
    std::erase_if(mounts, [&](const Mount& m) { return m.mount_point == mount.mount_point; });
    mounts.push_back(std::move(mount));
  });
  return mounts;
}

std::optional<struct statvfs> real_statfs(const std::filesystem::path& path) {
  struct statvfs result {};
  if (::statvfs(path.c_str(), &result) != 0) return std::nullopt;
  return result;
}

void report(const Mount& mount, const struct statvfs& fs, MetricSink& out) {
  const auto block = static_cast<double>(fs.f_frsize);
  const double size = static_cast<double>(fs.f_blocks) * block;
  const double free = static_cast<double>(fs.f_bfree) * block;
  const double avail = static_cast<double>(fs.f_bavail) * block;
  const double used = size - free;
  Labels labels = {
      {"device", mount.device}, {"fstype", mount.type}, {"mountpoint", mount.mount_point}};
  out.gauge("filesystem_size_bytes", labels, size);
  out.gauge("filesystem_free_bytes", labels, free);
  out.gauge("filesystem_avail_bytes", labels, avail);
  out.gauge("filesystem_used_bytes", labels, used);
  // As df(1): the share of what users may fill, so root's reserve counts as not available.
  out.gauge("filesystem_used_percent", labels,
            used + avail > 0 ? 100.0 * used / (used + avail) : 0);
  out.gauge("filesystem_inodes_total", labels, static_cast<double>(fs.f_files));
  out.gauge("filesystem_inodes_free", labels, static_cast<double>(fs.f_ffree));
  out.gauge("filesystem_inodes_used", labels, static_cast<double>(fs.f_files - fs.f_ffree));
  out.gauge("filesystem_readonly", std::move(labels), (fs.f_flag & ST_RDONLY) != 0 ? 1 : 0);
}

}  // namespace

FilesystemCollector::FilesystemCollector(const CollectSettings& settings, StatFs statfs)
    : rootfs_(settings.rootfs),
      mount_points_(settings.filesystem),
      types_({}, settings.filesystem_types_exclude),
      statfs_(statfs ? std::move(statfs) : StatFs(real_statfs)) {}

core::Status FilesystemCollector::collect(CollectContext& context, MetricSink& out) {
  const auto* text = context.proc.read("self/mounts");
  if (text == nullptr) text = context.proc.read("mounts");
  if (text == nullptr) return unreadable("self/mounts");
  for (const auto& mount : parse_mounts(*text)) {
    if (!types_.accepts(mount.type) || !mount_points_.accepts(mount.mount_point)) continue;
    // A stale network mount fails here; it is skipped, not fatal for the others.
    auto fs = statfs_(rootfs_ / std::filesystem::path(mount.mount_point).relative_path());
    if (!fs || fs->f_blocks == 0) continue;
    report(mount, *fs, out);
  }
  return core::ok_status();
}

}  // namespace sentinel::agent
