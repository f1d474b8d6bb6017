// nspid_from_status: the innermost pid namespace's pid.
#include "attribution/proc_status_parser.hpp"

#include <gtest/gtest.h>

namespace cmon::attribution {
namespace {

TEST(NspidFromStatus, LastEntryIsTheInnermostNamespace) {
    EXPECT_EQ(nspid_from_status("Name:\tpython3\nPid:\t4101\nNSpid:\t4101\t1\nNSpgid:\t4101\t1\n"), 1U);
    EXPECT_EQ(nspid_from_status("NStgid:\t4102\t57\nNSpid:\t4102\t57\n"), 57U);
    EXPECT_EQ(nspid_from_status("NSpid:\t900\t300\t12\n"), 12U) << "nested namespaces";
}

TEST(NspidFromStatus, HostProcessHasOneEntry) { EXPECT_EQ(nspid_from_status("NSpid:\t4103\n"), 4103U); }

TEST(NspidFromStatus, NoFinalNewline) { EXPECT_EQ(nspid_from_status("Pid:\t5\nNSpid:\t5\t2"), 2U); }

TEST(NspidFromStatus, MissingOrMalformed) {
    EXPECT_EQ(nspid_from_status(""), std::nullopt);
    EXPECT_EQ(nspid_from_status("Name:\tx\nPid:\t5\n"), std::nullopt) << "kernel before 4.1";
    EXPECT_EQ(nspid_from_status("NSpid:\n"), std::nullopt);
    EXPECT_EQ(nspid_from_status("NSpid:\t5\tabc\n"), std::nullopt);
    EXPECT_EQ(nspid_from_status("NSpid:\t5\t99999999999\n"), std::nullopt) << "overflow";
    EXPECT_EQ(nspid_from_status("NSpgid:\t5\t1\n"), std::nullopt) << "a different key";
}

}  // namespace
}  // namespace cmon::attribution
