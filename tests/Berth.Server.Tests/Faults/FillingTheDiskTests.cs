using System.Net;
using System.Net.Http.Json;
using Berth.Server.Tests.Infrastructure;

namespace Berth.Server.Tests.Faults;

/// <summary>
/// The data root's file system full (a 24 MB tmpfs, filled up): writes fail with 507 <c>STORAGE_FULL</c>
/// and save nothing, reads go on, the database stays intact, and writing works again as soon as space is
/// freed, without a restart.
/// </summary>
public sealed class FillingTheDiskTests
{
    [Fact]
    public async Task AFullDisk_RefusesWritesClearly_CorruptsNothing_AndWritingResumesOnceSpaceIsFreed()
    {
        await using var disk = await SmallDisk.MountAsync(megabytes: 24);
        var dataRoot = Path.Combine(disk.Path, "data");
        await using (var berth = await BerthProcess.StartAsync(dataRoot))
        {
            using var admin = await FaultSteps.SignInAsync(berth);
            await FaultSteps.CreateUserAsync(admin, "before@example.com");
            var filler = await disk.FillAsync();

            // Several writes: SQLite may still fit one into a page it has, never all of them.
            var refused = 0;
            for (var i = 0; i < 20; i++)
            {
                using var response = await admin.PostAsJsonAsync("/api/users", new { email = $"full-{i}@example.com", password = "full-disk-password-1" });
                if (response.StatusCode != HttpStatusCode.Created)
                {
                    await response.AssertStatusAsync(HttpStatusCode.InsufficientStorage);
                    Assert.Equal("STORAGE_FULL", (await response.JsonAsync()).GetProperty("code").GetString());
                    refused++;
                }
            }

            Assert.True(refused > 0, "no write was refused on a full disk");
            var users = await admin.GetFromJsonAsync<List<FaultSteps.UserRow>>("/api/users");
            Assert.Contains(users!, u => u.Email == "before@example.com");

            File.Delete(filler);
            await FaultSteps.CreateUserAsync(admin, "after@example.com");
            await berth.KillAsync();
        }

        Assert.Equal("ok", await FaultSteps.IntegrityCheckAsync(Path.Combine(dataRoot, "_DATA", "control-backend", "database.db")));
    }
}
