// Merging and 4-up with qpdf. Source documents are parsed from memory (qpdf reads the caller's
// bytes in place, so they must outlive the QPDF objects; they do, as they are our arguments) and
// their pages copied into a new document; 4-up places each A6 page as a form XObject on A4.
// qpdf 11: use std::shared_ptr in its API, without the PointerHolder transition warning.
#define POINTERHOLDER_TRANSITION 4
#include <qpdf/Buffer.hh>
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFObjectHandle.hh>
#include <qpdf/QPDFPageDocumentHelper.hh>
#include <qpdf/QPDFPageObjectHelper.hh>
#include <qpdf/QPDFWriter.hh>

#include <cstddef>
#include <exception>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "documents/labels.hpp"

namespace nadajnik::documents {
namespace {

constexpr double kA4Width = 595.276;  // 210 mm in points
constexpr double kA4Height = 841.89;  // 297 mm

// The parsed document, or an error naming which input it was.
Result<std::unique_ptr<QPDF>> Open(const std::string& pdf, const std::string& which) {
  if (pdf.empty()) {
    return Fail(ErrorCode::kInvalidArgument, fmt::format("{} is empty, not a PDF", which));
  }
  auto doc = std::make_unique<QPDF>();
  doc->setSuppressWarnings(true);
  try {
    doc->processMemoryFile(which.c_str(), pdf.data(), pdf.size());
    if (QPDFPageDocumentHelper(*doc).getAllPages().empty()) {
      return Fail(ErrorCode::kInvalidArgument, fmt::format("{} has no pages", which));
    }
  } catch (const std::exception& e) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("{} is not a readable PDF: download the label again", which), e.what());
  }
  return doc;
}

Result<std::string> Write(QPDF& doc) {
  try {
    QPDFWriter writer(doc);
    writer.setOutputMemory();
    // Streams (fonts, page contents) are copied as they are, and no object streams are made:
    // decoding and recompressing every label's fonts would double a merge's time to save a
    // few percent of size, and the file goes to a printer, not into an archive.
    writer.setDecodeLevel(qpdf_dl_none);
    writer.setObjectStreamMode(qpdf_o_disable);
    writer.write();
    auto buffer = writer.getBufferSharedPointer();
    return std::string(reinterpret_cast<const char*>(buffer->getBuffer()), buffer->getSize());
  } catch (const std::exception& e) {
    return Fail(ErrorCode::kInternal, "The merged PDF could not be written: try again or report it",
                e.what());
  }
}

}  // namespace

Result<std::string> MergePdfs(const std::vector<std::string>& pdfs) {
  if (pdfs.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "No PDFs to merge: the list is empty");
  }
  std::vector<std::unique_ptr<QPDF>> sources;
  sources.reserve(pdfs.size());
  for (std::size_t i = 0; i < pdfs.size(); ++i) {
    NADAJNIK_ASSIGN_OR_RETURN(auto doc,
                              Open(pdfs[i], fmt::format("PDF {} of {}", i + 1, pdfs.size())));
    sources.push_back(std::move(doc));
  }
  QPDF out;
  out.emptyPDF();
  try {
    QPDFPageDocumentHelper out_pages(out);
    for (auto& source : sources) {
      for (auto& page : QPDFPageDocumentHelper(*source).getAllPages()) {
        out_pages.addPage(page, false);
      }
    }
  } catch (const std::exception& e) {
    return Fail(ErrorCode::kInvalidArgument,
                "The PDFs could not be merged: one of them is damaged; download the labels again",
                e.what());
  }
  return Write(out);
}

Result<std::string> FourUpA4(const std::string& pdf) {
  NADAJNIK_ASSIGN_OR_RETURN(auto source, Open(pdf, "The PDF to print 4 per A4 page"));
  QPDF out;
  out.emptyPDF();
  try {
    QPDFPageDocumentHelper out_pages(out);
    const auto pages = QPDFPageDocumentHelper(*source).getAllPages();
    // Reading order: top left, top right, bottom left, bottom right.
    const double w = kA4Width / 2;
    const double h = kA4Height / 2;
    const QPDFObjectHandle::Rectangle cells[4] = {
        {0, h, w, kA4Height}, {w, h, kA4Width, kA4Height}, {0, 0, w, h}, {w, 0, kA4Width, h}};
    for (std::size_t first = 0; first < pages.size(); first += 4) {
      QPDFObjectHandle page_dict = out.makeIndirectObject(QPDFObjectHandle::parse(
          fmt::format("<< /Type /Page /MediaBox [0 0 {} {}] >>", kA4Width, kA4Height)));
      QPDFPageObjectHelper page(page_dict);
      QPDFObjectHandle xobjects = QPDFObjectHandle::newDictionary();
      std::string content;
      for (std::size_t k = 0; k < 4 && first + k < pages.size(); ++k) {
        QPDFPageObjectHelper source_page = pages[first + k];
        QPDFObjectHandle form = out.copyForeignObject(source_page.getFormXObjectForPage());
        const std::string name = fmt::format("/Label{}", k);
        xobjects.replaceKey(name, form);
        content += page.placeFormXObject(form, name, cells[k]);
      }
      QPDFObjectHandle resources = QPDFObjectHandle::newDictionary();
      resources.replaceKey("/XObject", xobjects);
      page_dict.replaceKey("/Resources", resources);
      page_dict.replaceKey("/Contents", QPDFObjectHandle::newStream(&out, content));
      out_pages.addPage(page, false);
    }
  } catch (const std::exception& e) {
    return Fail(ErrorCode::kInvalidArgument,
                "The PDF could not be laid out 4 per A4 page: it is damaged; download it again",
                e.what());
  }
  return Write(out);
}

}  // namespace nadajnik::documents
