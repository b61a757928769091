# The device code's one list of files, for CMakeLists.txt and for
# scripts/gpu-check.sh (through cmake/write_kernel_source.cmake).
#
# Needs CLRT_SOURCE_DIR (the repository root). Sets CLRT_KERNEL_SOURCES
# (absolute paths, in the order the program's source concatenates them:
# headers first, so that each file sees every declaration), and, from the
# integrators' list (include/clrt_integrators.h), each integrator's device
# file (CLRT_INTEGRATOR_KERNELS) and host file (CLRT_INTEGRATOR_HOST_SOURCES).
file(READ ${CLRT_SOURCE_DIR}/include/clrt_integrators.h integrator_header)
string(REGEX MATCH "#define CLRT_INTEGRATORS\\(X\\)[^\n]*(\\\\\n[^\n]*)*" integrator_list "${integrator_header}")
string(REGEX MATCHALL "X\\([a-z_0-9]+\\)" integrator_entries "${integrator_list}")
set(CLRT_INTEGRATOR_KERNELS)
set(CLRT_INTEGRATOR_HOST_SOURCES)
foreach(entry IN LISTS integrator_entries)
  string(REGEX REPLACE "X\\(([a-z_0-9]+)\\)" "\\1" name "${entry}")
  list(APPEND CLRT_INTEGRATOR_KERNELS kernels/integrators/${name}.c)
  list(APPEND CLRT_INTEGRATOR_HOST_SOURCES host/integrator/${name}.c)
endforeach()
if(NOT CLRT_INTEGRATOR_KERNELS)
  message(FATAL_ERROR "include/clrt_integrators.h: no integrator in CLRT_INTEGRATORS(X)")
endif()

set(CLRT_KERNEL_SOURCES
    include/clrt_types.h
    include/clrt_flat_arrays.h
    include/clrt_integrators.h
    include/clrt_math.h
    include/clrt_tracer.h
    include/clrt_tone_levels.h
    kernels/sampling.h
    kernels/camera.h
    kernels/sphere.h
    kernels/material.h
    kernels/light.h
    kernels/bvh.h
    kernels/sampling.c
    kernels/camera.c
    kernels/sphere.c
    kernels/material.c
    kernels/light.c
    kernels/bvh.c
    ${CLRT_INTEGRATOR_KERNELS}
    kernels/pixel.c
    kernels/aux.c
    kernels/denoise.c
    kernels/tone_levels.c
    kernels/trace.cl)
list(TRANSFORM CLRT_KERNEL_SOURCES PREPEND ${CLRT_SOURCE_DIR}/)
