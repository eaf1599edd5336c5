#pragma once
// The archive of `sentineld export` and `sentineld import`: NDJSON, one record per line, the
// same whatever backend wrote or reads it (times in Unix milliseconds, labels as JSON objects,
// sealed secrets and token hashes as the store keeps them).
//
//   line 1   {"format":"sentineld-archive","version":1,"sentineld":"0.1.0","backend":"sqlite",
//             "exported_at":1763942400000,"since":null}
//   then     {"type":"agent",...}  {"type":"series",...}  {"type":"samples","series":7,
//             "points":[[1763942400000,0.25],...]}  ... (docs/storage.md lists every type)
//   last     {"type":"end","counts":{"agent":2,...,"samples":86400}}
//
// The end line makes a truncated archive detectable; its counts are rows (a samples line counts
// its points, a processed_batches line its batch ids).

#include <cstdint>
#include <istream>
#include <map>
#include <optional>
#include <ostream>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "sentinel/store/agents.hpp"
#include "sentinel/store/alerting.hpp"
#include "sentinel/store/credentials.hpp"
#include "sentinel/store/samples.hpp"

namespace sentinel::store::archive {

inline constexpr std::string_view kFormat = "sentineld-archive";
inline constexpr int kVersion = 1;

struct Header {
  int version = kVersion;
  std::string sentineld;  // the version that wrote it
  std::string backend;    // "sqlite" or "postgres": where the data came from
  std::int64_t exported_at = 0;
  std::optional<std::int64_t> since;  // samples older than this were left out; unset: none
};

// Keys of processed_batches of one agent.
struct ProcessedBatches {
  std::string agent_id;
  std::vector<std::uint64_t> batch_ids;
  bool operator==(const ProcessedBatches&) const = default;
};

struct Point {
  std::int64_t time = 0;
  double value = 0;
  bool operator==(const Point&) const = default;
};

// Samples of the series that an earlier "series" line declared with `series_id` (the exporting
// store's id, which only links the lines of one archive).
struct SeriesSamples {
  std::int64_t series_id = 0;
  std::vector<Point> points;
};

using Record = std::variant<Agent, AgentKey, Hashed<BootstrapToken>, Hashed<ApiToken>, AlertRuleRow,
                            SilenceRow, NotifierRow, AlertInstanceRow, ProcessedBatches, SeriesInfo,
                            SeriesSamples>;

// Rows per record type ("agent", "samples", ...).
using Counts = std::map<std::string, std::int64_t, std::less<>>;

// A line that is not what the format allows: the message names the line.
class ArchiveError : public std::runtime_error {
 public:
  ArchiveError(std::size_t line, const std::string& what);
};

class Writer {
 public:
  // Writes the header line.
  Writer(std::ostream& out, const Header& header);
  void write(const Record& record);
  // Writes the end line; throws std::runtime_error when the stream failed on the way.
  void finish();
  const Counts& counts() const { return counts_; }

 private:
  void write_line(const std::string& line);

  std::ostream& out_;
  Counts counts_;
};

class Reader {
 public:
  // Reads and checks the header line: another format, or a version newer than kVersion, throws
  // ArchiveError before the caller has read (or written) anything else.
  explicit Reader(std::istream& in);
  const Header& header() const { return header_; }
  // The next record; nullopt once the end line is read and its counts match the lines before
  // it. Throws ArchiveError for a malformed line, samples of an undeclared series, a missing or
  // wrong end line, or anything after it.
  std::optional<Record> next();
  const Counts& counts() const { return counts_; }

 private:
  std::optional<std::string> read_line();
  void check_end(const std::string& line);

  std::istream& in_;
  std::size_t line_ = 0;
  Header header_;
  Counts counts_;
  std::set<std::int64_t> series_;  // declared so far
  bool ended_ = false;
};

}  // namespace sentinel::store::archive
