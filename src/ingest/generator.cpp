#include "ingest/generator.hpp"

namespace ll2::ingest {
std::variant<GenerateStats, std::string> generate(const GenerateOptions&) { return std::string("todo"); }
}  // namespace ll2::ingest
