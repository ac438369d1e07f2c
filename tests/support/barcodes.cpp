#include "support/barcodes.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace nadajnik::testing {

using namespace std::chrono_literals;

std::vector<std::vector<std::string>> DecodeCode128Pages(const std::string& pdf,
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
  std::vector<std::filesystem::path> pages;
  for (const auto& entry : std::filesystem::directory_iterator(work_dir)) {
    if (entry.path().extension() == ".png") pages.push_back(entry.path());
  }
  std::sort(pages.begin(), pages.end());  // pdftoppm pads page numbers to the same width
  std::vector<std::vector<std::string>> out;
  for (const auto& page : pages) {
    std::vector<std::string> codes;
    const auto zbar_out = work_dir / "zbar.out";
    Process zbar({{"zbarimg", "--raw", "-q", "-Sdisable", "-Scode128.enable", page.string()},
                  {},
                  std::nullopt,
                  zbar_out,
                  work_dir / "zbar.err"});
    EXPECT_EQ(zbar.Wait(60s), 0) << ReadFile(work_dir / "zbar.err");
    std::string text = ReadFile(zbar_out);
    std::size_t start = 0;
    while (start < text.size()) {
      auto nl = text.find('\n', start);
      if (nl == std::string::npos) nl = text.size();
      if (nl > start) codes.push_back(text.substr(start, nl - start));
      start = nl + 1;
    }
    std::filesystem::remove(page);
    out.push_back(std::move(codes));
  }
  return out;
}

std::vector<std::string> DecodeCode128(const std::string& pdf,
                                       const std::filesystem::path& work_dir) {
  std::vector<std::string> codes;
  for (auto& page : DecodeCode128Pages(pdf, work_dir)) {
    codes.insert(codes.end(), page.begin(), page.end());
  }
  std::sort(codes.begin(), codes.end());
  return codes;
}

int PdfPageCount(const std::string& pdf, const std::filesystem::path& work_dir) {
  const auto file = work_dir / "count.pdf";
  std::ofstream(file, std::ios::binary) << pdf;
  const auto out = work_dir / "pdfinfo.out";
  Process info({{"pdfinfo", file.string()}, {}, std::nullopt, out, out});
  if (info.Wait(60s) != 0) return -1;
  const std::string text = ReadFile(out);
  const auto p = text.find("Pages:");
  if (p == std::string::npos) return -1;
  return std::atoi(text.c_str() + p + 6);
}

}  // namespace nadajnik::testing
