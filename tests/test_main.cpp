#include <CppUTest/CommandLineTestRunner.h>
#include <CppUTest/MemoryLeakWarningPlugin.h>

// The explorer searches on every core, so tests allocate from several threads at once: the leak
// detector's new/delete must take its lock (the default overloads are not thread-safe).
int main(int argc, char** argv) {
  MemoryLeakWarningPlugin::turnOnThreadSafeNewDeleteOverloads();
  return CommandLineTestRunner::RunAllTests(argc, argv);
}
