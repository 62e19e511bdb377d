# `cmake --install` and `cpack -G DEB`: the binary, the systemd units, the
# default settings and the docs. The units and settings name the installed
# paths, so configure with -DCMAKE_INSTALL_PREFIX=/usr for the .deb (cpack
# refuses another prefix) and keep the default /usr/local for a hand install.
include(GNUInstallDirs)

set(LL2D_BIN ${CMAKE_INSTALL_FULL_BINDIR}/ll2d)
set(LL2D_DEFAULTS ${CMAKE_INSTALL_FULL_SYSCONFDIR}/default/ll2d)  # /etc/default/ll2d under /usr
set(LL2D_DOC_DIR ${CMAKE_INSTALL_FULL_DOCDIR})
set(LL2D_UNIT_DIR lib/systemd/system)  # systemd also reads /usr/local/lib/systemd/system

set(packaging_out ${CMAKE_CURRENT_BINARY_DIR}/packaging)
foreach(unit ll2d.service ll2d-sync.service)
  configure_file(${CMAKE_CURRENT_LIST_DIR}/${unit}.in ${packaging_out}/${unit} @ONLY)
endforeach()
configure_file(${CMAKE_CURRENT_LIST_DIR}/default.in ${packaging_out}/default @ONLY)
configure_file(${CMAKE_CURRENT_LIST_DIR}/debian/conffiles.in ${packaging_out}/conffiles @ONLY)

install(TARGETS ll2d RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${packaging_out}/ll2d.service ${packaging_out}/ll2d-sync.service
              ${CMAKE_CURRENT_LIST_DIR}/ll2d-sync.timer
        DESTINATION ${LL2D_UNIT_DIR})
# Mode 0600: it may hold a database password or an LL2 API key (systemd
# reads it as root).
install(FILES ${packaging_out}/default DESTINATION ${CMAKE_INSTALL_FULL_SYSCONFDIR}/default
        RENAME ll2d PERMISSIONS OWNER_READ OWNER_WRITE)
file(GLOB LL2D_DOCS CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/docs/*.md)
install(FILES README.md ${LL2D_DOCS} DESTINATION ${CMAKE_INSTALL_DOCDIR})

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME ll2d)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "ll2d maintainers <ll2d@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Launch Library 2 (2.3.0) API server")
set(CPACK_PACKAGE_DESCRIPTION
    "ll2d serves the Launch Library 2 API, wire-compatible with LL2, from a SQLite file or PostgreSQL; it imports LL2 JSON and can mirror a live LL2.")
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # ll2d_<version>_amd64.deb
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://thespacedevs.com/llapi")
# Library dependencies from the binary itself when dpkg-shlibdeps is there
# (dpkg-dev), else Debian 12's names for what CMakeLists.txt links.
find_program(DPKG_SHLIBDEPS dpkg-shlibdeps)
if(DPKG_SHLIBDEPS)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
  set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
else()
  set(CPACK_DEBIAN_PACKAGE_DEPENDS
      "adduser, libc6, libstdc++6, libgcc-s1, libsqlite3-0, libpq5, libcurl4, libcmark0.30.2, libfmt9, libssl3, zlib1g, libjemalloc2")
endif()
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "ca-certificates")  # ll2d sync over https
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${CMAKE_CURRENT_LIST_DIR}/debian/postinst ${CMAKE_CURRENT_LIST_DIR}/debian/prerm
    ${CMAKE_CURRENT_LIST_DIR}/debian/postrm ${packaging_out}/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_PROJECT_CONFIG_FILE ${CMAKE_CURRENT_LIST_DIR}/cpack-config.cmake)
include(CPack)
