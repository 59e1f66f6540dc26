using Berth.Core.Servers;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Berth.Core.Data.Configurations;

internal sealed class VirtualServerConfiguration : IEntityTypeConfiguration<VirtualServer>
{
    public void Configure(EntityTypeBuilder<VirtualServer> builder)
    {
        builder.ToTable("Hosting_VirtualServers");
        builder.HasKey(s => s.Id);
        // Not AUTOINCREMENT in the seed: the ID names the container, and Berth allocates it.
        builder.Property(s => s.Id).HasColumnName("ID").ValueGeneratedNever();
        builder.Property(s => s.OwnerId).HasColumnName("OwnerID").IsRequired();
        builder.Property(s => s.Name).HasColumnName("Name").IsRequired().HasDefaultValue("");
        builder.Property(s => s.Enabled).HasColumnName("Enabled").IsRequired().HasDefaultValue(true);
        builder.Property(s => s.Deleted).HasColumnName("Deleted").IsRequired().HasDefaultValue(false);
        builder.Property(s => s.CreatedAt).HasColumnName("CreatedAt").IsRequired();
        builder.Property(s => s.UpdatedAt).HasColumnName("UpdatedAt").IsRequired();
        builder.HasIndex(s => s.OwnerId).HasDatabaseName("idx_vs_owner");
        builder.HasIndex(s => s.Deleted).HasDatabaseName("idx_vs_deleted");
        builder.HasData(new VirtualServer
        {
            Id = VirtualServer.HostId,
            OwnerId = 0,
            Name = "HOST",
            Enabled = true,
            Deleted = false,
            CreatedAt = "",
            UpdatedAt = "",
        });
    }
}
