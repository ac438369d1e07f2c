// TempDir: a fresh folder under $TMPDIR (or /tmp) removed with its contents on destruction.
#pragma once

#include <filesystem>
#include <string>

namespace nadajnik::testing {

class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "nadajnik-test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Reads a whole file; empty if it does not exist.
std::string ReadFile(const std::filesystem::path& path);

}  // namespace nadajnik::testing
