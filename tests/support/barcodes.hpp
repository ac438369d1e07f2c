// The Code 128 barcodes on a PDF's pages as a scanner reads them: each page rendered with
// pdftoppm at 200 dpi and read with zbarimg (poppler-utils and zbar-tools, installed by
// scripts/install-deps.sh). Sorted; temporary files go to `work_dir`.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace nadajnik::testing {

std::vector<std::string> DecodeCode128(const std::string& pdf,
                                       const std::filesystem::path& work_dir);
// The same, page by page in page order (each page's codes in zbarimg's order).
std::vector<std::vector<std::string>> DecodeCode128Pages(const std::string& pdf,
                                                         const std::filesystem::path& work_dir);
// pdfinfo's page count, or -1 when it can't read the file.
int PdfPageCount(const std::string& pdf, const std::filesystem::path& work_dir);

}  // namespace nadajnik::testing
