#pragma once
// Moved to core/ (the optimizer seals prompts too); this name stays for existing includes.
#include "core/sealed_text.hpp"
