// Giving back start-up pages: which mappings qualify, and that the kernel drops their pages while
// the process reads the same bytes afterwards and loses nothing it wrote.

#include "sentinel/core/startup_pages.hpp"

#include <algorithm>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <vector>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "support/temp_dir.hpp"

using namespace sentinel;

namespace {

// A file of `pages` pages whose bytes encode their offset, written to disk (clean pages can be
// dropped). It lives in the working directory (the build tree) rather than $TMPDIR, because
// tmpfs pages cannot be reclaimed without swap.
class DiskFile {
 public:
  explicit DiskFile(std::size_t pages)
      : path_(std::filesystem::current_path() / fmt::format("startup-pages-{}.bin", ::getpid())),
        size_(pages * page_size()) {
    std::string bytes(size_, '\0');
    for (std::size_t i = 0; i < size_; ++i)
      bytes[i] = static_cast<char>(i % 251);
    fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    REQUIRE(fd_ >= 0);
    REQUIRE(::write(fd_, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()));
    REQUIRE(::fsync(fd_) == 0);
  }
  ~DiskFile() {
    ::close(fd_);
    std::filesystem::remove(path_);
  }
  DiskFile(const DiskFile&) = delete;
  DiskFile& operator=(const DiskFile&) = delete;

  static std::size_t page_size() { return static_cast<std::size_t>(::sysconf(_SC_PAGESIZE)); }
  int fd() const { return fd_; }
  std::size_t size() const { return size_; }
  static char expected_at(std::size_t offset) { return static_cast<char>(offset % 251); }

 private:
  std::filesystem::path path_;
  std::size_t size_;
  int fd_ = -1;
};

class Mapping {
 public:
  Mapping(const DiskFile& file, int protection)
      : size_(file.size()),
        data_(static_cast<char*>(::mmap(nullptr, size_, protection, MAP_PRIVATE, file.fd(), 0))) {
    REQUIRE(data_ != MAP_FAILED);
  }
  ~Mapping() { ::munmap(data_, size_); }
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;

  char* data() const { return data_; }

  // Pages of the mapped file in the page cache (mincore(2)).
  std::size_t cached_pages() const {
    std::vector<unsigned char> flags(size_ / DiskFile::page_size());
    REQUIRE(::mincore(data_, size_, flags.data()) == 0);
    return static_cast<std::size_t>(
        std::count_if(flags.begin(), flags.end(), [](unsigned char f) { return (f & 1) != 0; }));
  }

  bool reads_file_bytes() const {
    for (std::size_t i = 0; i < size_; ++i) {
      if (data_[i] != DiskFile::expected_at(i)) return false;
    }
    return true;
  }

 private:
  std::size_t size_;
  char* data_;
};

}  // namespace

namespace {

// One mapping as /proc/<pid>/smaps shows it, with the fields that matter here.
std::string smaps_entry(std::string_view header, int anonymous_kib = 0, int swap_kib = 0) {
  return fmt::format(
      "{}\nSize:                 64 kB\nRss:                  12 kB\nAnonymous:         {:4} kB\n"
      "Swap:              {:4} kB\nVmFlags: rd mr mw me\n",
      header, anonymous_kib, swap_kib);
}

}  // namespace

TEST_CASE("read-only private file mappings without private copies are listed, nothing else") {
  const auto smaps =
      smaps_entry("55d0c0a00000-55d0c0b42000 r--p 00000000 fd:01 1180 /usr/sbin/sentineld") +
      smaps_entry("55d0c0b42000-55d0c1a4d000 r-xp 00142000 fd:01 1180 /usr/sbin/sentineld") +
      // Relocated data made read-only, resident or swapped out: private copies, never unmapped.
      smaps_entry("55d0c1f00000-55d0c1f10000 r--p 01500000 fd:01 1180 /usr/sbin/sentineld", 64) +
      smaps_entry("7f1c2c0ab000-7f1c2c0b0000 r--p 000ab000 fd:01 912 /usr/lib/libcrypto.so.3", 0,
                  20) +
      smaps_entry("55d0c1f10000-55d0c1f1a000 rw-p 01510000 fd:01 1180 /usr/sbin/sentineld") +
      smaps_entry("55d0c1f1a000-55d0c1f40000 rw-p 00000000 00:00 0 ") +
      smaps_entry("55d0c2a3b000-55d0c2a5c000 rw-p 00000000 00:00 0                  [heap]", 12) +
      smaps_entry("7f1c2b1f0000-7f1c2b1f1000 ---p 00000000 00:00 0") +
      smaps_entry("7f1c2b400000-7f1c2b4a0000 r--s 00000000 fd:01 77 /var/lib/shared memory.db") +
      smaps_entry("7f1c2c000000-7f1c2c0a8000 r--p 00000000 fd:01 912 /usr/lib/libcrypto.so.3") +
      smaps_entry("7f1c2c0a8000-7f1c2c0ab000 ---p 000a8000 fd:01 912 /usr/lib/libcrypto.so.3") +
      smaps_entry("7f1c2d000000-7f1c2d001000 r--p 00000000 fd:01 95 /opt/my tools/x.so (deleted)") +
      smaps_entry("7ffd1eb6d000-7ffd1eb6f000 r-xp 00000000 00:00 0                  [vdso]");
  const auto mappings = core::read_only_file_mappings(smaps);
  REQUIRE(mappings.size() == 4);
  CHECK(mappings[0].begin == 0x55d0c0a00000);
  CHECK(mappings[0].end == 0x55d0c0b42000);
  CHECK(mappings[0].path == "/usr/sbin/sentineld");
  CHECK(mappings[1].begin == 0x55d0c0b42000);
  CHECK(mappings[2].path == "/usr/lib/libcrypto.so.3");
  CHECK(mappings[2].begin == 0x7f1c2c000000);
  CHECK(mappings[3].path == "/opt/my tools/x.so (deleted)");
}

TEST_CASE("start-up pages leave the page cache and read back unchanged") {
  DiskFile file(64);
  Mapping code(file, PROT_READ);
  REQUIRE(code.reads_file_bytes());
  REQUIRE(code.cached_pages() == 64);

  auto released = core::release_startup_pages();
  REQUIRE(released);
  CHECK(released->mappings > 0);
  CHECK(released->resident_after < released->resident_before);
  CHECK(code.cached_pages() == 0);
  CHECK(code.reads_file_bytes());
}

TEST_CASE("cached pages of a mapped file that no one maps leave the cache too") {
  DiskFile file(64);
  std::string bytes(file.size(), '\0');
  REQUIRE(::pread(file.fd(), bytes.data(), bytes.size(), 0) == static_cast<ssize_t>(bytes.size()));
  Mapping code(file, PROT_READ);
  REQUIRE(code.cached_pages() == 64);  // all cached by the read, none faulted into the mapping

  REQUIRE(core::release_startup_pages());
  // Else the kernel's fault-around would map them back with the next fault nearby.
  CHECK(code.cached_pages() == 0);
}

TEST_CASE("data written into a private mapping survives, also once it is made read-only") {
  DiskFile file(4);
  Mapping relro(file, PROT_READ | PROT_WRITE);
  Mapping writable(file, PROT_READ | PROT_WRITE);
  relro.data()[0] = 'R';
  writable.data()[0] = 'W';
  // Like a library's relocated constants: written once at load, then made read-only.
  REQUIRE(::mprotect(relro.data(), file.size(), PROT_READ) == 0);

  REQUIRE(core::release_startup_pages());
  CHECK(relro.data()[0] == 'R');
  CHECK(writable.data()[0] == 'W');
  CHECK(relro.data()[1] == DiskFile::expected_at(1));
}
