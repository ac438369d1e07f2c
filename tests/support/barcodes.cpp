#include "support/barcodes.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace nadajnik::testing {

using namespace std::chrono_literals;

std::vector<std::string> DecodeCode128(const std::string& pdf,
                                       const std::filesystem::path& work_dir) {
  const auto file = work_dir / "label.pdf";
  std::ofstream(file, std::ios::binary) << pdf;
  {
    Process render({{"pdftoppm", "-r", "200", "-png", file.string(), (work_dir / "page").string()},
                    {},
                    std::nullopt,
                    work_dir / "pdftoppm.out",
                    work_dir / "pdftoppm.out"});
    EXPECT_EQ(render.Wait(60s), 0) << ReadFile(work_dir / "pdftoppm.out");
  }
  std::vector<std::string> codes;
  for (const auto& entry : std::filesystem::directory_iterator(work_dir)) {
    if (entry.path().extension() != ".png") continue;
    const auto out = work_dir / "zbar.out";
    Process zbar(
        {{"zbarimg", "--raw", "-q", "-Sdisable", "-Scode128.enable", entry.path().string()},
         {},
         std::nullopt,
         out,
         work_dir / "zbar.err"});
    EXPECT_EQ(zbar.Wait(60s), 0) << ReadFile(work_dir / "zbar.err");
    std::string text = ReadFile(out);
    std::size_t start = 0;
    while (start < text.size()) {
      auto nl = text.find('\n', start);
      if (nl == std::string::npos) nl = text.size();
      if (nl > start) codes.push_back(text.substr(start, nl - start));
      start = nl + 1;
    }
    std::filesystem::remove(entry.path());
  }
  std::sort(codes.begin(), codes.end());
  return codes;
}

}  // namespace nadajnik::testing
