# Cross toolchain for RK3588 (Cortex-A76): Debian's aarch64-linux-gnu gcc + the arm64 sysroot of scripts/setup-arm64.sh.
# usage: cmake -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake  (sysroot: LONGROPE_ARM64_SYSROOT
# in the environment, default build-arm64/sysroot); tests run through qemu-aarch64 -L <sysroot>.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)

if(DEFINED ENV{LONGROPE_ARM64_SYSROOT})
  set(LONGROPE_ARM64_SYSROOT "$ENV{LONGROPE_ARM64_SYSROOT}")
else()
  set(LONGROPE_ARM64_SYSROOT "${CMAKE_CURRENT_LIST_DIR}/../build-arm64/sysroot")
endif()
get_filename_component(LONGROPE_ARM64_SYSROOT "${LONGROPE_ARM64_SYSROOT}" ABSOLUTE)
set(CMAKE_SYSROOT "${LONGROPE_ARM64_SYSROOT}")
set(CMAKE_FIND_ROOT_PATH "${LONGROPE_ARM64_SYSROOT}")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# RK3588: 4x Cortex-A76 + 4x Cortex-A55, both ARMv8.2-A with dotprod and fp16; no -ffast-math.
set(CMAKE_C_FLAGS_INIT "-mcpu=cortex-a76")
set(CMAKE_CXX_FLAGS_INIT "-mcpu=cortex-a76")
set(LONGROPE_NATIVE OFF CACHE BOOL "Tune for the build machine's CPU (-march=native)")
# The sysroot carries no OpenMPI: the cross build is the local (non-MPI) engine.
set(LONGROPE_MPI OFF CACHE BOOL "Build the MPI evaluator (distributed search)")

# Host tools: pkg-config reads the sysroot's .pc files; the host's h5cc would report x86 paths.
set(PKG_CONFIG_EXECUTABLE /usr/bin/pkg-config CACHE FILEPATH "pkg-config (host)")
set(ENV{PKG_CONFIG_DIR} "")
set(ENV{PKG_CONFIG_SYSROOT_DIR} "${LONGROPE_ARM64_SYSROOT}")
set(ENV{PKG_CONFIG_LIBDIR}
    "${LONGROPE_ARM64_SYSROOT}/usr/lib/aarch64-linux-gnu/pkgconfig:${LONGROPE_ARM64_SYSROOT}/usr/share/pkgconfig")
set(HDF5_C_COMPILER_EXECUTABLE "" CACHE FILEPATH "no h5cc: HDF5 is found in the sysroot")

# Test binaries (gtest discovery, ctest) run under user-mode emulation.
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64 -L "${LONGROPE_ARM64_SYSROOT}")
