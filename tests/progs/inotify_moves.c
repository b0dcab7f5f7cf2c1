/* inotify and rename: MOVED_FROM in the old directory and MOVED_TO in the new
 * one share a cookie, each rename its own; the moved inode's watch sees
 * MOVE_SELF; a replaced file's watch sees ATTRIB (its link count), then
 * DELETE_SELF and IGNORED; RENAME_EXCHANGE is two moves; directories carry
 * IN_ISDIR (but not on MOVE_SELF); a rename out of or into a watched
 * directory shows only its half; a watch follows its directory when it
 * moves; renaming a name onto another link of the same file is a no-op. */
#include "fs_util.h"
#include "inotify_util.h"

int main(void) {
    fs_enter_scratch();
    CHECK_OK(mkdir("a", 0755));
    CHECK_OK(mkdir("b", 0755));
    CHECK_OK(mkdir("out", 0755));
    int in = inotify_init1(IN_NONBLOCK);
    in_watch(in, "a", IN_ALL_EVENTS, "a");
    in_watch(in, "b", IN_MOVE | IN_CREATE | IN_DELETE, "b");

    CHECK_OK(fs_write_file("a/f", "1"));
    in_drain(in, "setup");
    in_watch(in, "a/f", IN_ALL_EVENTS, "f");

    CHECK_OK(rename("a/f", "a/g"));
    in_drain(in, "rename within a");
    CHECK_OK(rename("a/g", "b/g"));
    in_drain(in, "rename a to b");
    CHECK_OK(rename("b/g", "out/g"));
    in_drain(in, "rename out of the watched");
    CHECK_OK(rename("out/g", "a/back"));
    in_drain(in, "rename into a");

    /* Replacing a watched file. */
    CHECK_OK(fs_write_file("a/victim", "2"));
    in_watch(in, "a/victim", IN_ALL_EVENTS, "victim");
    in_drain(in, "victim made");
    CHECK_OK(rename("a/back", "a/victim"));
    in_drain(in, "rename over victim");

    /* A replaced file with another link lives on. */
    CHECK_OK(fs_write_file("a/v2", "3"));
    CHECK_OK(link("a/v2", "out/v2"));
    in_watch(in, "a/v2", IN_ATTRIB | IN_DELETE_SELF, "v2");
    in_drain(in, "v2 made");
    CHECK_OK(rename("a/victim", "a/v2"));
    in_drain(in, "rename over a linked file");

    /* Same inode: nothing happens. */
    CHECK_OK(link("a/v2", "a/v3"));
    in_drain(in, "link v3");
    CHECK_OK(rename("a/v2", "a/v3"));
    CHECK_RET(in_drain(in, "rename onto another link"), 0);

    /* Directories. */
    CHECK_OK(mkdir("a/sub", 0755));
    CHECK_OK(fs_write_file("a/sub/x", ""));
    in_watch(in, "a/sub", IN_ALL_EVENTS, "sub");
    in_drain(in, "sub made");
    CHECK_OK(rename("a/sub", "b/sub2"));
    in_drain(in, "rename a directory");
    CHECK_OK(fs_write_file("b/sub2/y", "")); /* the watch followed */
    CHECK_OK(rename("b/sub2/x", "b/sub2/z"));
    in_drain(in, "inside the moved directory");

    /* RENAME_EXCHANGE. */
    CHECK_OK(mkdir("a/dx", 0755));
    CHECK_OK(fs_write_file("b/fx", ""));
    in_watch(in, "a/dx", IN_MOVE_SELF, "dx");
    in_watch(in, "b/fx", IN_MOVE_SELF | IN_ATTRIB, "fx");
    in_drain(in, "exchange setup");
    CHECK_OK(syscall(SYS_renameat2, AT_FDCWD, "a/dx", AT_FDCWD, "b/fx", 2 /* EXCHANGE */));
    in_drain(in, "exchange");

    /* Replacing an empty directory. */
    CHECK_OK(mkdir("a/empty", 0755));
    CHECK_OK(mkdir("a/full", 0755));
    in_watch(in, "a/empty", IN_ALL_EVENTS, "empty");
    in_drain(in, "directories made");
    CHECK_OK(rename("a/full", "a/empty"));
    in_drain(in, "rename a directory over an empty one");

    CHECK_OK(close(in));
    fs_leave_scratch();
    return check_status();
}
