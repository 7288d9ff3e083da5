// Runbooks and guides (seed 000 §4, seed 001 R7): the runbook file has a
// section per required procedure, each with numbered steps or commands; the
// deployment, troubleshooting and onboarding guides exist with numbered
// steps; every script or command they name exists in the repository or is a
// known CLI.
//   repo.docs.runbooks          a section with steps for each required procedure
//   repo.docs.{guide}_guide     deployment, troubleshooting, onboarding
//   repo.docs.runbook_commands  named scripts exist, commands are known CLIs
#pragma once

#include <string>
#include <vector>

#include "core/result_stream.hpp"
#include "repo/repo_files.hpp"

namespace golive::repo {

// One markdown section: its heading, where it starts, and its body lines.
struct MarkdownSection {
  std::string heading;
  int level = 0;  // number of '#'
  int line = 0;   // 1-based line of the heading
  std::vector<std::string> body;
};

std::vector<MarkdownSection> markdown_sections(const std::string& text);

// Numbered steps ("1. ...", "2) ...") or a fenced code block.
bool has_steps(const MarkdownSection& section);

void check_docs(const RepoSettings& settings, core::ResultSink& sink);

}  // namespace golive::repo
