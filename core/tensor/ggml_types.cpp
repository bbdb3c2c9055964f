// The ggml type table (ids, names and block layouts as ggml.h and ggml-common.h define them).
#include "core/tensor/ggml_types.h"

namespace lr {

namespace {
// Indexed by id; ids ggml removed (Q4_2, Q4_3, the repacked Q4_0_4_4 … types) have no name.
constexpr GgmlType kTypes[] = {
    {0, "F32", 1, 4},         {1, "F16", 1, 2},         {2, "Q4_0", 32, 18},
    {3, "Q4_1", 32, 20},      {4, nullptr, 0, 0},       {5, nullptr, 0, 0},
    {6, "Q5_0", 32, 22},      {7, "Q5_1", 32, 24},      {8, "Q8_0", 32, 34},
    {9, "Q8_1", 32, 36},      {10, "Q2_K", 256, 84},    {11, "Q3_K", 256, 110},
    {12, "Q4_K", 256, 144},   {13, "Q5_K", 256, 176},   {14, "Q6_K", 256, 210},
    {15, "Q8_K", 256, 292},   {16, "IQ2_XXS", 256, 66}, {17, "IQ2_XS", 256, 74},
    {18, "IQ3_XXS", 256, 98}, {19, "IQ1_S", 256, 50},   {20, "IQ4_NL", 32, 18},
    {21, "IQ3_S", 256, 110},  {22, "IQ2_S", 256, 82},   {23, "IQ4_XS", 256, 136},
    {24, "I8", 1, 1},         {25, "I16", 1, 2},        {26, "I32", 1, 4},
    {27, "I64", 1, 8},        {28, "F64", 1, 8},        {29, "IQ1_M", 256, 56},
    {30, "BF16", 1, 2},       {31, nullptr, 0, 0},      {32, nullptr, 0, 0},
    {33, nullptr, 0, 0},      {34, "TQ1_0", 256, 54},   {35, "TQ2_0", 256, 66},
    {36, nullptr, 0, 0},      {37, nullptr, 0, 0},      {38, nullptr, 0, 0},
    {39, "MXFP4", 32, 17},
};
constexpr uint32_t kCount = sizeof(kTypes) / sizeof(kTypes[0]);
}  // namespace

const GgmlType* ggml_type(uint32_t id) {
  return id < kCount && kTypes[id].name ? &kTypes[id] : nullptr;
}

std::string ggml_type_name(uint32_t id) {
  const GgmlType* t = ggml_type(id);
  return t ? t->name : "type " + std::to_string(id);
}

uint64_t ggml_tensor_bytes(uint32_t id, uint64_t n) {
  const GgmlType* t = ggml_type(id);
  if (!t || n % t->block != 0) return 0;
  return n / t->block * t->bytes;
}

}  // namespace lr
