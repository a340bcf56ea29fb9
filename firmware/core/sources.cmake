# The core's sources, one list for every build of it: the host library (core/CMakeLists.txt), the
# Zephyr application (app/) and the ztest suite (tests/ztest/). include() it, then use
# AGENT_CORE_SOURCES and AGENT_CORE_INCLUDE.
set(AGENT_CORE_INCLUDE ${CMAKE_CURRENT_LIST_DIR}/include)
set(AGENT_CORE_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/src/crc32.c
  ${CMAKE_CURRENT_LIST_DIR}/src/framer.c
  ${CMAKE_CURRENT_LIST_DIR}/src/kv.c
  ${CMAKE_CURRENT_LIST_DIR}/src/line.c
  ${CMAKE_CURRENT_LIST_DIR}/src/sha256.c
  ${CMAKE_CURRENT_LIST_DIR}/src/agent.c
)
