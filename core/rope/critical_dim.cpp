// The critical pair of a RoPE (LongRoPE2): closed form from base, head_dim and trained length.
#include "core/rope/critical_dim.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>

#include "core/util/error.h"

namespace lr {

CriticalDim critical_dim(double base, int head_dim, int original_length) {
  if (!(base > 1.0) || !std::isfinite(base))
    fail(ErrorKind::InvalidArgument, "critical dimension: the rope base must be > 1");
  if (head_dim < 2 || head_dim % 2)
    fail(ErrorKind::InvalidArgument, "critical dimension: head_dim must be even and >= 2");
  if (original_length < 1)
    fail(ErrorKind::InvalidArgument, "critical dimension: the trained length must be >= 1");
  CriticalDim c;
  c.x = head_dim / 2.0 * std::log(original_length / (2.0 * std::numbers::pi)) / std::log(base);
  // Pair i's period exceeds L iff i > x; a whole x has period exactly L (not exceeding).
  c.first_pair = std::max(0, static_cast<int>(std::floor(c.x)) + 1);
  c.longrope2_index = static_cast<int>(std::ceil(c.x)) - 1;
  return c;
}

}  // namespace lr
