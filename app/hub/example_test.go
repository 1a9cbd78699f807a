package hub_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/firnglacier/firn/app/hub"
)

// Accounts are added to the hub's database, as `firn hub user add` does.
func ExampleStore() {
	dir, _ := os.MkdirTemp("", "hub")
	defer os.RemoveAll(dir)
	s, err := hub.OpenStore(dir)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()
	ctx := context.Background()
	now := time.Date(2026, 9, 1, 8, 0, 0, 0, time.UTC)
	_ = s.AddUser(ctx, "alice", hub.RoleStudent, "moraine-2026", "glac101", now)
	_ = s.AddUser(ctx, "hans", hub.RoleTeacher, "serac-2026", "", now)
	fmt.Println(s.AddUser(ctx, "Bob", hub.RoleStudent, "drumlin-2026", "", now))
	fmt.Println(s.AddUser(ctx, "bob", hub.RoleStudent, "short", "", now))
	users, _ := s.Users(ctx)
	for _, u := range users {
		fmt.Println(u.Name, u.Role, u.Groups)
	}
	v, _ := s.Version()
	fmt.Println("schema version", v)
	// Output:
	// user name "Bob": use 1 to 32 lower-case letters, digits, '-' or '_', starting with a letter
	// password: 5 characters; use at least 8
	// alice student [glac101]
	// hans teacher []
	// schema version 6
}
